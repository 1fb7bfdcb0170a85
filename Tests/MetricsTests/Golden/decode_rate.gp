# sambabench: decode rate per request ((N - k1) / (tL - t1)), cumulative distribution per level.
# Data: HdrHistogram percentile files in ../hdr/. Re-render after editing: gnuplot decode_rate.gp
set datafile separator ','
set title "Decode rate per request, golden: gpt-oss-120b (chat)" noenhanced
set xlabel 'decode rate per request (tokens/s)'
set ylabel 'requests at or below (%)'
set yrange [0:100]
set key bottom right noenhanced
set grid
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'decode_rate.png'
plot '../hdr/decode_tps.c1.csv' every ::1 using 1:($2*100) with steps lw 2 title 'c1', \
     '../hdr/decode_tps.c2.csv' every ::1 using 1:($2*100) with steps lw 2 title 'c2'
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'decode_rate.svg'
replot
