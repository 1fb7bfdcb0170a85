# sambabench: how many tokens each streamed chunk carried, per level (a chunk is never assumed to be one token).
# Each request's last chunk is counted apart (grey, all levels together): it carries whatever remains of the answer,
# so it is often shorter than the server's usual chunk.
# Data: tokens_per_chunk.dat beside this file (tokens, then a count column per level). Re-render: gnuplot tokens_per_chunk.gp
set title "Tokens per chunk, golden: gpt-oss-120b (chat)" noenhanced
set xlabel 'tokens in the chunk'
set ylabel 'chunks'
set yrange [0:8]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key below noenhanced autotitle columnheader
set grid ytics
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'tokens_per_chunk.png'
plot for [column=2:3] 'tokens_per_chunk.dat' using column:xtic(1), \
     '' using 4 lc rgb '#9a9a9a' fs pattern 4
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'tokens_per_chunk.svg'
replot
