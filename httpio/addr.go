package httpio

import "net"

// DialAddr turns a listening address into one a client can dial: ":8080",
// "0.0.0.0:8080" and "[::]:8080" listen everywhere and are reached on
// loopback.
func DialAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
