package main

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// podFields are the values a fieldRef can read.
type podFields struct {
	pod    *corev1.Pod
	podIP  string
	hostIP string
}

func (f podFields) field(path string) (string, error) {
	p := f.pod
	switch path {
	case "metadata.name":
		return p.Name, nil
	case "metadata.namespace":
		return p.Namespace, nil
	case "metadata.uid":
		return string(p.UID), nil
	case "spec.nodeName":
		return p.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return p.Spec.ServiceAccountName, nil
	case "status.podIP", "status.podIPs":
		return f.podIP, nil
	case "status.hostIP", "status.hostIPs":
		return f.hostIP, nil
	}
	for _, m := range []struct {
		prefix string
		values map[string]string
	}{{"metadata.labels", p.Labels}, {"metadata.annotations", p.Annotations}} {
		if path == m.prefix {
			return formatMap(m.values), nil
		}
		if strings.HasPrefix(path, m.prefix+"['") && strings.HasSuffix(path, "']") {
			return m.values[path[len(m.prefix)+2:len(path)-2]], nil
		}
	}
	return "", fmt.Errorf("fieldRef %q is not supported", path)
}

// formatMap is the downward API's rendering of labels/annotations: key="value" lines, sorted.
func formatMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s=%q", k, m[k])
	}
	return b.String()
}

// containerEnv resolves a container's environment in the kubelet's order: envFrom, then
// env (later entries see earlier ones through $(VAR)).
func containerEnv(ctx context.Context, client kubernetes.Interface, f podFields, c *corev1.Container) ([]string, map[string]string, error) {
	ns := f.pod.Namespace
	vars := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, ok := vars[k]; !ok {
			order = append(order, k)
		}
		vars[k] = v
	}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm, err := client.CoreV1().ConfigMaps(ns).Get(ctx, from.ConfigMapRef.Name, metav1.GetOptions{})
			if err != nil {
				if apierrors.IsNotFound(err) && from.ConfigMapRef.Optional != nil && *from.ConfigMapRef.Optional {
					continue
				}
				return nil, nil, fmt.Errorf("envFrom configMap %q: %v", from.ConfigMapRef.Name, err)
			}
			for k, v := range cm.Data {
				set(from.Prefix+k, v)
			}
		case from.SecretRef != nil:
			s, err := client.CoreV1().Secrets(ns).Get(ctx, from.SecretRef.Name, metav1.GetOptions{})
			if err != nil {
				if apierrors.IsNotFound(err) && from.SecretRef.Optional != nil && *from.SecretRef.Optional {
					continue
				}
				return nil, nil, fmt.Errorf("envFrom secret %q: %v", from.SecretRef.Name, err)
			}
			for k, v := range s.Data {
				set(from.Prefix+k, string(v))
			}
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			set(e.Name, expand(e.Value, vars))
			continue
		}
		vf := e.ValueFrom
		switch {
		case vf.FieldRef != nil:
			v, err := f.field(vf.FieldRef.FieldPath)
			if err != nil {
				return nil, nil, fmt.Errorf("env %s: %v", e.Name, err)
			}
			set(e.Name, v)
		case vf.ConfigMapKeyRef != nil:
			r := vf.ConfigMapKeyRef
			cm, err := client.CoreV1().ConfigMaps(ns).Get(ctx, r.Name, metav1.GetOptions{})
			optional := r.Optional != nil && *r.Optional
			if err != nil {
				if apierrors.IsNotFound(err) && optional {
					continue
				}
				return nil, nil, fmt.Errorf("env %s: configMap %q: %v", e.Name, r.Name, err)
			}
			v, ok := cm.Data[r.Key]
			if !ok {
				if optional {
					continue
				}
				return nil, nil, fmt.Errorf("env %s: configMap %q has no key %q", e.Name, r.Name, r.Key)
			}
			set(e.Name, v)
		case vf.SecretKeyRef != nil:
			r := vf.SecretKeyRef
			s, err := client.CoreV1().Secrets(ns).Get(ctx, r.Name, metav1.GetOptions{})
			optional := r.Optional != nil && *r.Optional
			if err != nil {
				if apierrors.IsNotFound(err) && optional {
					continue
				}
				return nil, nil, fmt.Errorf("env %s: secret %q: %v", e.Name, r.Name, err)
			}
			v, ok := s.Data[r.Key]
			if !ok {
				if optional {
					continue
				}
				return nil, nil, fmt.Errorf("env %s: secret %q has no key %q", e.Name, r.Name, r.Key)
			}
			set(e.Name, string(v))
		case vf.ResourceFieldRef != nil:
			// Limits/requests as numbers are not meaningful for a process; the node's
			// capacity would be the honest answer and nothing in the suite reads it.
			set(e.Name, "0")
		default:
			return nil, nil, fmt.Errorf("env %s: unsupported valueFrom", e.Name)
		}
	}
	if _, ok := vars["HOSTNAME"]; !ok {
		set("HOSTNAME", hostname(f.pod))
	}
	if _, ok := vars["PATH"]; !ok {
		set("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	}
	env := make([]string, 0, len(order))
	for _, k := range order {
		env = append(env, k+"="+vars[k])
	}
	return env, vars, nil
}

// expand is Kubernetes' $(VAR) expansion: defined variables are replaced, $$ is a
// literal $, anything else is left as written.
func expand(s string, vars map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			if v, ok := vars[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+3+end])
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}

func hostname(p *corev1.Pod) string {
	h := p.Name
	if p.Spec.Hostname != "" {
		h = p.Spec.Hostname
	}
	if len(h) > 63 {
		h = strings.TrimRight(h[:63], "-.")
	}
	return h
}
