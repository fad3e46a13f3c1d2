# A curve across workloads for docs/BENCHMARKS.md (threads, rates), called
# by bench/report.py, two panels side by side:
#   gnuplot -e "data='F'; out='X.png'; ttl='T'; names='SERIES ...'; xl='X';
#               t1='LEFT'; t2='RIGHT'; xt='1,2,4,8'; logy=0|1" bench/curve.gp
# data: one block per series (two blank lines between): x y_left y_right
set terminal pngcairo size 900,420 font "sans,10" noenhanced
set output out
set grid
set key below
set multiplot layout 1,2 title ttl
set logscale x
eval "set xtics (".xt.")"
set xlabel xl
set style data linespoints
if (logy) {
    set logscale y
} else {
    set yrange [0:*]
    set format y "%.1s%c"
}
set title t1
plot for [i=1:words(names)] data index (i-1) using 1:2 title word(names, i) pt 7
set title t2
plot for [i=1:words(names)] data index (i-1) using 1:3 title word(names, i) pt 7
unset multiplot
