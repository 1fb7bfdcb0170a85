# sambabench: TTFT percentile distribution per level, the HdrHistogram look: the x axis is 1/(1-percentile) on a
# log scale, so the tail (99%, 99.9%, ...) gets as much room as the median. The axis ends where the largest level's
# samples end (n samples resolve up to 1/(1-p) = n); the time axis is fitted to the data.
# Data: HdrHistogram percentile files in ../hdr/. Re-render after editing: gnuplot ttft_percentiles.gp
set datafile separator ','
set title "TTFT percentiles, golden: gpt-oss-120b (chat)" noenhanced
set xlabel 'percentile'
set ylabel 'time to first token (ms)'
set logscale x
set xrange [1:3]
set xtics ('0%%' 1, '66.67%%' 3)
set autoscale yfix
set offsets 0, 0, graph 0.06, graph 0.06
set key below noenhanced
set grid
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'ttft_percentiles.png'
plot '../hdr/ttft_ms.c1.csv' every ::1 using 4:1 with lines lw 2 title 'c1', \
     '../hdr/ttft_ms.c2.csv' every ::1 using 4:1 with lines lw 2 title 'c2'
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'ttft_percentiles.svg'
replot
