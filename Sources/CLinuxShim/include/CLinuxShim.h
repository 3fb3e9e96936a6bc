#ifndef CHORUS_CLINUXSHIM_H
#define CHORUS_CLINUXSHIM_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>

/// Same layout as glibc's `struct mmsghdr`, which Swift sees only with _GNU_SOURCE.
struct chorus_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

int chorus_recvmmsg(int fd, struct chorus_mmsghdr *messages, unsigned int count, int flags);
int chorus_sendmmsg(int fd, struct chorus_mmsghdr *messages, unsigned int count, int flags);

/// Reads and writes the file descriptor in epoll_event's packed data union.
int chorus_epoll_event_fd(const struct epoll_event *event);
void chorus_epoll_event_set_fd(struct epoll_event *event, int fd);

#endif
