# sambabench: TTFT cumulative distribution, one line per level.
# Data: HdrHistogram percentile files in ../hdr/. Re-render after editing: gnuplot ttft_cdf.gp (in this folder).
set datafile separator ','
set title "TTFT, golden: gpt-oss-120b (chat)" noenhanced
set xlabel 'time to first token (ms)'
set ylabel 'requests at or below (%)'
set yrange [0:100]
set key bottom right noenhanced
set grid
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'ttft_cdf.png'
plot '../hdr/ttft_ms.c1.csv' every ::1 using 1:($2*100) with steps lw 2 title 'c1', \
     '../hdr/ttft_ms.c2.csv' every ::1 using 1:($2*100) with steps lw 2 title 'c2'
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'ttft_cdf.svg'
replot
