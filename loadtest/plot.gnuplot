# Renders the timeline that chorus-load writes with --plots DIR into three PNG files in that directory:
# bitrate.png, latency.png and loss.png. chorus-load runs it as
#   gnuplot -e "datafile='DIR/timeline.tsv'; outdir='DIR'" loadtest/plot.gnuplot
# The columns of timeline.tsv are: seconds, connected, bitrate_out_kbps, bitrate_in_kbps, loss_percent,
# latency_p50_ms, latency_p99_ms, one row per second; NaN marks a second without latency samples.

if (!exists("datafile")) datafile = "timeline.tsv"
if (!exists("outdir")) outdir = "."

set terminal pngcairo size 1000,500 noenhanced font ",10"
set datafile separator "\t"
set datafile missing "NaN"
set key top left
set grid
set xlabel "time since start (s)"

set output outdir."/bitrate.png"
set title "Bitrate at the load tool (all participants)"
set ylabel "Mbit/s"
set y2label "participants connected"
set ytics nomirror
set y2tics
set y2range [0:*]
plot datafile using 1:($3/1000) skip 1 with lines lw 2 title "sent", \
     datafile using 1:($4/1000) skip 1 with lines lw 2 title "received", \
     datafile using 1:2 skip 1 axes x1y2 with steps dt 2 title "connected"

unset y2label
unset y2tics
set ytics mirror

set output outdir."/latency.png"
set title "End-to-end latency per second (frames and audio packets)"
set ylabel "ms"
set logscale y
plot datafile using 1:6 skip 1 with linespoints pt 7 ps 0.4 title "p50", \
     datafile using 1:7 skip 1 with linespoints pt 7 ps 0.4 title "p99"
unset logscale y

set output outdir."/loss.png"
set title "RTP loss per second"
set ylabel "% of expected packets"
set yrange [0:*]
plot datafile using 1:5 skip 1 with impulses lw 2 title "loss"
