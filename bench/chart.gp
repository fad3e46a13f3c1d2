# One workload's chart for docs/BENCHMARKS.md, called by bench/report.py:
#   gnuplot -e "data='F'; out='X.png'; ttl='NAME'; kind='throughput|latency'" bench/chart.gp
# data: one line per client: name msgs_s msgs_s_min msgs_s_max msgs_per_cpu_s p50 p99 p999
set terminal pngcairo size 900,420 font "sans,10" noenhanced
set output out
set style fill solid 0.8 border -1
set boxwidth 0.7
set grid ytics
set yrange [0:*]
set key top right
if (kind eq "latency") {
    set title ttl." (end-to-end latency, ms; lower is better)"
    set style data histogram
    set style histogram clustered gap 1
    set ylabel "ms (log scale)"
    set logscale y
    set yrange [0.1:*]
    plot data using 6:xtic(1) title "p50", '' using 7 title "p99", '' using 8 title "p99.9"
} else {
    set multiplot layout 1,2 title ttl
    set style data histogram
    set style histogram errorbars gap 2 lw 1
    set title "messages/s (median, min-max)"
    set format y "%.1s%c"
    plot data using 2:3:4:xtic(1) notitle lc rgb "#4477aa"
    set style histogram clustered gap 2
    set title "messages per CPU-second (median)"
    plot data using 5:xtic(1) notitle lc rgb "#228833"
    unset multiplot
}
