#!/bin/sh
# Runs inside the node VM (a Debian 6.1 kernel with bridge VLAN filtering), from the files ISO mounted on /mnt:
# the real CNI bridge plugin plugs endpoint namespaces into the "node" namespace with each NAD config, then the
# endpoints ping each other. Prints one line per fact: `add <endpoint> <nad> <exit code> <plugin output>`,
# `ping <from> <to-ip> reached|unreached`, `vlans <bridge -j vlan show>`.
set -u
cp /mnt/bridge /tmp/bridge && chmod +x /tmp/bridge
modprobe bridge 2>/dev/null || true
ip netns add node && ip -n node link set lo up

add() { # <endpoint> <nad file> <address>
  ip netns add "$1" && ip -n "$1" link set lo up
  out=$(CNI_COMMAND=ADD CNI_CONTAINERID="$1" CNI_NETNS="/var/run/netns/$1" CNI_IFNAME=net1 CNI_PATH=/tmp \
    ip netns exec node /tmp/bridge < "/mnt/$2" 2>&1)
  code=$?
  echo "add $1 $2 $code $(echo "$out" | tr -d '\n')"
  [ "$code" -eq 0 ] && ip -n "$1" addr add "$3" dev net1
}
reach() { # <from> <to-ip>
  if ip netns exec "$1" ping -c 2 -W 2 "$2" >/dev/null 2>&1; then echo "ping $1 $2 reached"; else echo "ping $1 $2 unreached"; fi
}

add a vlan100.json 10.99.0.1/24
add b vlan100.json 10.99.0.2/24
add c vlan200.json 10.99.0.3/24
add d untagged.json 10.98.0.1/24
add e untagged.json 10.98.0.2/24
add f custom-bridge-vlan300.json 10.97.0.1/24
add g custom-bridge-vlan300.json 10.97.0.2/24
reach a 10.99.0.2
reach b 10.99.0.1
reach a 10.99.0.3
reach c 10.99.0.1
reach d 10.98.0.2
reach f 10.97.0.2
echo "vlans $(ip netns exec node bridge -j vlan show)"
echo "filtering $(ip netns exec node cat /sys/class/net/br0/bridge/vlan_filtering)"
