#!/bin/sh
# Runs inside the node VM (a Debian 6.1 kernel with bridge VLAN filtering), from the files ISO mounted on /mnt:
# the real CNI bridge plugin /mnt/<plugin> plugs endpoint namespaces into the "node" namespace with each NAD
# config, then the endpoints ping each other, and the node's own address on br0 (untagged: VLAN 1, as the NMState
# policy puts it) looks for VLAN 100 endpoints. Prints one line per fact: `add <endpoint> <nad> <exit code>
# <plugin output>`, `ping <from> <to-ip> reached|unreached`, `node-lan <endpoint> leaked|isolated`,
# `vlans <bridge -j vlan show>`, `filtering <br0's vlan_filtering>`. Removes every namespace it made, so it can
# run again with another plugin in the same boot.
#   sh matrix.sh <plugin file on /mnt>
set -u
plugin=$1
cp "/mnt/$plugin" /tmp/bridge && chmod +x /tmp/bridge
modprobe bridge 2>/dev/null || true
ip netns add node && ip -n node link set lo up
made="node"

add() { # <endpoint> <nad file> <address>
  ip netns add "$1" && ip -n "$1" link set lo up
  made="$made $1"
  out=$(CNI_COMMAND=ADD CNI_CONTAINERID="$1" CNI_NETNS="/var/run/netns/$1" CNI_IFNAME=net1 CNI_PATH=/tmp \
    ip netns exec node /tmp/bridge < "/mnt/$2" 2>&1)
  code=$?
  echo "add $1 $2 $code $(echo "$out" | tr -d '\n')"
  [ "$code" -eq 0 ] && ip -n "$1" addr add "$3" dev net1
}
reach() { # <from> <to-ip>
  if ip netns exec "$1" ping -c 2 -W 2 "$2" >/dev/null 2>&1; then echo "ping $1 $2 reached"; else echo "ping $1 $2 unreached"; fi
}
# An endpoint that learnt the node's address from its ARP broadcast received the node LAN's VLAN 1 traffic.
node_lan() { # <endpoint>
  if [ -n "$(ip -n "$1" neigh show 10.99.0.254)" ]; then echo "node-lan $1 leaked"; else echo "node-lan $1 isolated"; fi
}

add a vlan100.json 10.99.0.1/24
add b vlan100.json 10.99.0.2/24
add c vlan200.json 10.99.0.3/24
add d untagged.json 10.98.0.1/24
add e untagged.json 10.98.0.2/24
add f custom-bridge-vlan300.json 10.97.0.1/24
add g custom-bridge-vlan300.json 10.97.0.2/24
# The control: VLAN 100 as Wukong wrote it before preserveDefaultVlan (the plugin's own default decides).
add h vlan100-plugin-default.json 10.99.0.4/24
reach a 10.99.0.2
reach b 10.99.0.1
reach a 10.99.0.3
reach c 10.99.0.1
reach d 10.98.0.2
reach f 10.97.0.2
ip -n node addr add 10.99.0.254/24 dev br0 && ip -n node link set br0 up
# An ARP request creates a neighbour entry only on the endpoint it asks for: ask for each.
for ip in 10.99.0.1 10.99.0.2 10.99.0.4; do ip netns exec node ping -c 2 -W 2 "$ip" >/dev/null 2>&1; done
node_lan a
node_lan b
node_lan h
echo "vlans $(ip netns exec node bridge -j vlan show)"
echo "filtering $(ip netns exec node cat /sys/class/net/br0/bridge/vlan_filtering)"
for ns in $made; do ip netns del "$ns"; done
