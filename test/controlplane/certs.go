package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Files written by `certs` into the control plane's directory; the harness passes
// them to kube-apiserver and reads the kubeconfig and token.
const (
	caCert         = "ca.crt"
	caKey          = "ca.key"
	kubeletClient  = "kubelet-client.crt"
	kubeletClientK = "kubelet-client.key"
	servingCert    = "apiserver.crt"
	servingKey     = "apiserver.key"
	adminCert      = "admin.crt"
	adminKey       = "admin.key"
	saKey          = "sa.key"
	saPub          = "sa.pub"
	tokenFile      = "tokens.csv"
	adminTokenFile = "admin.token"
	kubeconfigFile = "kubeconfig"
)

func newKey() (*ecdsa.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode)
}

func writeKey(path string, k *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return err
	}
	return writePEM(path, "PRIVATE KEY", der, 0o600)
}

// runCerts writes a fresh CA (and its key, for kubelet serving certificates), a serving
// certificate for loopback, an admin client certificate in system:masters (and the same
// user as a static token), kube-apiserver's client certificate for kubelets, the
// service-account key pair, and a kubeconfig for the admin.
func runCerts(args []string) error {
	if len(args) < 1 {
		usage()
	}
	dir := args[0]
	fs := flag.NewFlagSet("certs", flag.ContinueOnError)
	server := fs.String("server", "", "API server URL for the kubeconfig, e.g. https://127.0.0.1:6443")
	serviceIP := fs.String("service-ip", "10.0.0.1", "first IP of --service-cluster-ip-range (the kubernetes Service)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *server == "" {
		return fmt.Errorf("certs: --server is required")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	p := func(f string) string { return filepath.Join(dir, f) }
	now := time.Now().Add(-time.Hour) // tolerate small clock differences
	notAfter := now.Add(10 * 365 * 24 * time.Hour)

	caPriv, err := newKey()
	if err != nil {
		return err
	}
	caTmpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "gatehouse-test-ca"},
		NotBefore: now, NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caPriv.PublicKey, caPriv)
	if err != nil {
		return err
	}
	ca, _ := x509.ParseCertificate(caDER)
	if err := writePEM(p(caCert), "CERTIFICATE", caDER, 0o644); err != nil {
		return err
	}
	// Kept (0600, in the test's own directory) so process kubelets can sign their serving
	// certificates for the node IPs they are given.
	if err := writeKey(p(caKey), caPriv); err != nil {
		return err
	}

	issue := func(tmpl *x509.Certificate, certPath, keyPath string) error {
		k, err := newKey()
		if err != nil {
			return err
		}
		tmpl.SerialNumber, tmpl.NotBefore, tmpl.NotAfter = serial(), now, notAfter
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caPriv)
		if err != nil {
			return err
		}
		if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
			return err
		}
		return writeKey(keyPath, k)
	}
	if err := issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "kube-apiserver"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
			"kubernetes.default.svc.cluster.local"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback, net.ParseIP(*serviceIP)},
	}, p(servingCert), p(servingKey)); err != nil {
		return err
	}
	if err := issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "gatehouse-admin", Organization: []string{"system:masters"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, p(adminCert), p(adminKey)); err != nil {
		return err
	}

	// kube-apiserver's client certificate towards kubelets (logs, exec).
	if err := issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "kube-apiserver-kubelet-client", Organization: []string{"system:masters"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, p(kubeletClient), p(kubeletClientK)); err != nil {
		return err
	}

	sa, err := newKey()
	if err != nil {
		return err
	}
	if err := writeKey(p(saKey), sa); err != nil {
		return err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&sa.PublicKey)
	if err != nil {
		return err
	}
	if err := writePEM(p(saPub), "PUBLIC KEY", pubDER, 0o644); err != nil {
		return err
	}

	tok := make([]byte, 24)
	if _, err := rand.Read(tok); err != nil {
		return err
	}
	token := hex.EncodeToString(tok)
	// token,user,uid,"group1,group2"
	if err := os.WriteFile(p(tokenFile), []byte(token+",gatehouse-admin,gatehouse-admin,system:masters\n"), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(p(adminTokenFile), []byte(token), 0o600); err != nil {
		return err
	}
	return writeKubeconfig(p(kubeconfigFile), *server, dir)
}

func writeKubeconfig(path, server, dir string) error {
	b64 := func(f string) (string, error) {
		b, err := os.ReadFile(filepath.Join(dir, f))
		return base64.StdEncoding.EncodeToString(b), err
	}
	ca, err := b64(caCert)
	if err != nil {
		return err
	}
	cert, err := b64(adminCert)
	if err != nil {
		return err
	}
	key, err := b64(adminKey)
	if err != nil {
		return err
	}
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: gatehouse-test
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: gatehouse-admin
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: gatehouse-test
  context:
    cluster: gatehouse-test
    user: gatehouse-admin
    namespace: default
current-context: gatehouse-test
`, server, ca, cert, key)
	return os.WriteFile(path, []byte(cfg), 0o600)
}
