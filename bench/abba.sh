# Sourced by the bench scripts: A and B measured in alternating order, one round after another
# (A B, B A, A B, …), so that warming up or slowing down over time falls on both alike.
#   abba ROUNDS A B FN      calls `FN KIND ROUND` for each measurement
abba() {
  local rounds=$1 a=$2 b=$3 fn=$4 round kind order
  for round in $(seq 1 "$rounds"); do
    order="$a $b"
    [ $((round % 2)) -eq 0 ] && order="$b $a"
    for kind in $order; do "$fn" "$kind" "$round"; done
  done
}
