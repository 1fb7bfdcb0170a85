# sambabench: TTFT percentile distribution per level, the HdrHistogram look: the x axis is 1/(1-percentile) on a
# log scale, so the tail (99%, 99.9%, ...) gets as much room as the median.
# Data: HdrHistogram percentile files in ../hdr/. Re-render after editing: gnuplot ttft_percentiles.gp
set datafile separator ','
set title "TTFT percentiles, golden: gpt-oss-120b (chat)" noenhanced
set xlabel 'percentile'
set ylabel 'time to first token (ms)'
set logscale x
set xrange [1:1000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000)
set yrange [0:*]
set key top left noenhanced
set grid
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'ttft_percentiles.png'
plot '../hdr/ttft_ms.c1.csv' every ::1 using 4:1 with lines lw 2 title 'c1', \
     '../hdr/ttft_ms.c2.csv' every ::1 using 4:1 with lines lw 2 title 'c2'
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'ttft_percentiles.svg'
replot
