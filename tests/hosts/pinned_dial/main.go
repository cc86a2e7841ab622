// pinned_dial: an SSH client that checks the host key the way pulumi-command's remote
// connection does when `hostKey` is set (provider/pkg/provider/remote/connection.go, read
// 2026-12-02): the key parsed from an authorized_keys line, ssh.FixedHostKey, and that key's
// algorithm as the only host key algorithm offered. Used by tests/hosts/test_ssh_host_key.py.
//
// usage: pinned_dial ADDR USER CLIENT_KEY_FILE HOST_KEY_FILE COMMAND
package main

import (
	"fmt"
	"os"

	"golang.org/x/crypto/ssh"
)

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 6 {
		fail(fmt.Errorf("usage: pinned_dial ADDR USER CLIENT_KEY_FILE HOST_KEY_FILE COMMAND"))
	}
	clientKey, err := os.ReadFile(os.Args[3])
	if err != nil {
		fail(err)
	}
	signer, err := ssh.ParsePrivateKey(clientKey)
	if err != nil {
		fail(err)
	}
	hostKeyLine, err := os.ReadFile(os.Args[4])
	if err != nil {
		fail(err)
	}
	pinned, _, _, _, err := ssh.ParseAuthorizedKey(hostKeyLine)
	if err != nil {
		fail(fmt.Errorf("failed to parse host key: %w", err))
	}
	config := &ssh.ClientConfig{
		User:              os.Args[2],
		Auth:              []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback:   ssh.FixedHostKey(pinned),
		HostKeyAlgorithms: []string{pinned.Type()},
	}
	client, err := ssh.Dial("tcp", os.Args[1], config)
	if err != nil {
		fail(err)
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		fail(err)
	}
	out, err := session.Output(os.Args[5])
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(out)
}
