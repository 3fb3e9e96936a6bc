#define _GNU_SOURCE
#include <sys/socket.h>
#include <stddef.h>
#include "CLinuxShim.h"

_Static_assert(sizeof(struct chorus_mmsghdr) == sizeof(struct mmsghdr), "mmsghdr layout");
_Static_assert(offsetof(struct chorus_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len), "mmsghdr layout");

int chorus_recvmmsg(int fd, struct chorus_mmsghdr *messages, unsigned int count, int flags) {
    return recvmmsg(fd, (struct mmsghdr *)messages, count, flags, NULL);
}

int chorus_sendmmsg(int fd, struct chorus_mmsghdr *messages, unsigned int count, int flags) {
    return sendmmsg(fd, (struct mmsghdr *)messages, count, flags);
}

int chorus_epoll_event_fd(const struct epoll_event *event) {
    return event->data.fd;
}

void chorus_epoll_event_set_fd(struct epoll_event *event, int fd) {
    event->data.fd = fd;
}
