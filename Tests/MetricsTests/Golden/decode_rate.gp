# sambabench: decode rate per request ((N - k1) / (tL - t1)), cumulative distribution per level, a step per request.
# Data: ../requests.csv (decode_tps of the level's measured requests; failed ones have none), filtered by gnuplot into a
# datablock per level. Re-render after editing: gnuplot decode_rate.gp (in this folder).
set datafile separator ','
set datafile columnheaders
set table $S0
plot '../requests.csv' using (column("decode_tps")):(1) with table if (column("level") == 0 && column("warmup") == 0)
unset table
set table $S1
plot '../requests.csv' using (column("decode_tps")):(1) with table if (column("level") == 1 && column("warmup") == 0)
unset table
set datafile nocolumnheaders
set datafile separator whitespace
set title "Decode rate per request, golden: gpt-oss-120b (chat)" noenhanced
set xlabel 'decode rate per request (tokens/s)'
set ylabel 'requests at or below (%)'
set yrange [0:1.02]
set ytics ('0' 0, '20' 0.2, '40' 0.4, '60' 0.6, '80' 0.8, '100' 1)
unset logscale x
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set key below noenhanced
set grid
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'decode_rate.png'
plot $S0 using 1:2 smooth cnormal with steps lw 2 title 'c1', \
     $S1 using 1:2 smooth cnormal with steps lw 2 title 'c2'
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'decode_rate.svg'
replot
