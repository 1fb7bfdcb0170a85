# sambabench: decode rate per request ((N - k1) / (tL - t1)), cumulative distribution per level.
# Data: HdrHistogram percentile files in ../hdr/. Re-render after editing: gnuplot decode_rate.gp
set datafile separator ','
set title "{{TITLE}}" noenhanced
set xlabel 'decode rate per request (tokens/s)'
set ylabel 'requests at or below (%)'
set yrange [0:100]
set key bottom right noenhanced
set grid
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'decode_rate.png'
plot {{SERIES}}
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'decode_rate.svg'
replot
