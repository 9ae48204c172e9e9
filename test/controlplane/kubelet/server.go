package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"k8s.io/klog/v2"
)

// startServer serves the kubelet API subset the API server uses for pods/log, over HTTPS
// with a certificate for the node IP signed by the cluster CA; clients must present a
// certificate from the same CA (kube-apiserver's --kubelet-client-certificate).
func (k *kubelet) startServer() (*http.Server, error) {
	cert, pool, err := servingCert(k.cfg.caCert, k.cfg.caKey, k.cfg.nodeName, k.cfg.nodeIP)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(k.cfg.nodeIP.String(), strconv.Itoa(k.cfg.port)))
	if err != nil {
		return nil, err
	}
	k.port = ln.Addr().(*net.TCPAddr).Port
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("GET /containerLogs/{ns}/{pod}/{container}", k.containerLogs)
	mux.HandleFunc("GET /pods", k.listPods)
	srv := &http.Server{
		Handler: mux,
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{cert},
			ClientCAs:    pool,
			ClientAuth:   tls.RequireAndVerifyClientCert,
			MinVersion:   tls.VersionTLS12,
		},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          nil,
	}
	go func() {
		if err := srv.ServeTLS(ln, "", ""); err != nil && err != http.ErrServerClosed {
			klog.ErrorS(err, "kubelet server")
		}
	}()
	return srv, nil
}

func (k *kubelet) containerLogs(w http.ResponseWriter, r *http.Request) {
	ns, name, container := r.PathValue("ns"), r.PathValue("pod"), r.PathValue("container")
	pw := k.worker(ns, name)
	if pw == nil {
		http.Error(w, fmt.Sprintf("pod %s/%s is not on node %s", ns, name, k.cfg.nodeName), http.StatusNotFound)
		return
	}
	opts, err := parseLogOptions(r.URL.Query())
	if err != nil {
		http.Error(w, "bad log options: "+err.Error(), http.StatusBadRequest)
		return
	}
	path, running, err := pw.logFile(container, r.URL.Query().Get("previous") == "true")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := serveLog(r.Context(), w, path, opts, running); err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
	}
}

// listPods is a debugging view: what runs here.
func (k *kubelet) listPods(w http.ResponseWriter, _ *http.Request) {
	type entry struct {
		Namespace, Name, IP string
		Netns               string `json:",omitempty"`
	}
	var out []entry
	k.mu.Lock()
	for _, pw := range k.workers {
		pw.mu.Lock()
		e := entry{Namespace: pw.namespace, Name: pw.name, IP: pw.podIPString()}
		if pw.sb != nil {
			e.Netns = pw.sb.netns
		}
		pw.mu.Unlock()
		out = append(out, e)
	}
	k.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func servingCert(caCertPath, caKeyPath, nodeName string, nodeIP net.IP) (tls.Certificate, *x509.CertPool, error) {
	caPEM, err := os.ReadFile(caCertPath)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	keyPEM, err := os.ReadFile(caKeyPath)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	caBlock, _ := pem.Decode(caPEM)
	keyBlock, _ := pem.Decode(keyPEM)
	if caBlock == nil || keyBlock == nil {
		return tls.Certificate{}, nil, fmt.Errorf("CA certificate or key is not PEM")
	}
	ca, err := x509.ParseCertificate(caBlock.Bytes)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	caKey, err := x509.ParsePKCS8PrivateKey(keyBlock.Bytes)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	now := time.Now().Add(-time.Hour)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "system:node:" + nodeName, Organization: []string{"system:nodes"}},
		NotBefore:    now, NotAfter: now.Add(365 * 24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{nodeIP},
		DNSNames:    []string{strings.ToLower(nodeName)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool, nil
}
