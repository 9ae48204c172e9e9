package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// volumeSet writes a pod's volumes under <podDir>/volumes/<name> and keeps the ones
// built from API objects (Secret, ConfigMap, projected, downwardAPI) up to date. Files
// are laid out as the kubelet's atomic writer does (..data -> ..<timestamp>/, each
// top-level entry a symlink through ..data), so a refresh is one rename and a
// bind-mounted directory sees it.
type volumeSet struct {
	w      *podWorker
	dir    string
	tokens map[string]time.Time // projected token file -> refresh after
	paths  map[string]string    // volume name -> directory (or host path)
	ro     map[string]bool      // volumes the kubelet mounts read-only
}

func newVolumeSet(w *podWorker) *volumeSet {
	return &volumeSet{w: w, dir: filepath.Join(w.dir, "volumes"), tokens: map[string]time.Time{}, paths: map[string]string{}, ro: map[string]bool{}}
}

// sync writes every volume; first is true on the pod's first sync (emptyDir and hostPath
// are made once).
func (vs *volumeSet) sync(ctx context.Context, pod *corev1.Pod, f podFields, first bool) error {
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		dir := filepath.Join(vs.dir, v.Name)
		var files map[string]fileData
		var err error
		switch {
		case v.EmptyDir != nil:
			if first {
				err = os.MkdirAll(dir, 0o777)
				if err == nil {
					err = os.Chmod(dir, 0o777)
				}
			}
			vs.paths[v.Name] = dir
			if err != nil {
				return fmt.Errorf("volume %s: %v", v.Name, err)
			}
			continue
		case v.HostPath != nil:
			if first {
				t := corev1.HostPathUnset
				if v.HostPath.Type != nil {
					t = *v.HostPath.Type
				}
				switch t {
				case corev1.HostPathDirectoryOrCreate:
					err = os.MkdirAll(v.HostPath.Path, 0o755)
				case corev1.HostPathFileOrCreate:
					var fh *os.File
					if fh, err = os.OpenFile(v.HostPath.Path, os.O_CREATE|os.O_RDONLY, 0o644); err == nil {
						fh.Close()
					}
				default:
					_, err = os.Stat(v.HostPath.Path)
				}
				if err != nil {
					return fmt.Errorf("volume %s: hostPath %s: %v", v.Name, v.HostPath.Path, err)
				}
			}
			vs.paths[v.Name] = v.HostPath.Path
			continue
		case v.Secret != nil:
			files, err = vs.secretFiles(ctx, pod.Namespace, v.Secret.SecretName, v.Secret.Items, v.Secret.DefaultMode, v.Secret.Optional)
		case v.ConfigMap != nil:
			files, err = vs.configMapFiles(ctx, pod.Namespace, v.ConfigMap.Name, v.ConfigMap.Items, v.ConfigMap.DefaultMode, v.ConfigMap.Optional)
		case v.DownwardAPI != nil:
			files, err = downwardFiles(f, v.DownwardAPI.Items, v.DownwardAPI.DefaultMode)
		case v.Projected != nil:
			files, err = vs.projectedFiles(ctx, pod, f, v.Name, v.Projected)
		default:
			return fmt.Errorf("volume %s: only emptyDir, hostPath, secret, configMap, downwardAPI and projected volumes are supported by the process kubelet", v.Name)
		}
		if err != nil {
			return fmt.Errorf("volume %s: %v", v.Name, err)
		}
		vs.paths[v.Name] = dir
		vs.ro[v.Name] = true
		if err := atomicWrite(dir, files); err != nil {
			return fmt.Errorf("volume %s: %v", v.Name, err)
		}
	}
	return nil
}

type fileData struct {
	data []byte
	mode os.FileMode
}

func mode(m *int32, def int32) os.FileMode {
	if m != nil {
		return os.FileMode(*m) & 0o777
	}
	return os.FileMode(def)
}

func keyFiles(data map[string][]byte, items []corev1.KeyToPath, defMode *int32, what string) (map[string]fileData, error) {
	out := map[string]fileData{}
	if len(items) == 0 {
		for k, v := range data {
			out[k] = fileData{v, mode(defMode, 0o644)}
		}
		return out, nil
	}
	for _, it := range items {
		v, ok := data[it.Key]
		if !ok {
			return nil, fmt.Errorf("%s has no key %q", what, it.Key)
		}
		m := mode(defMode, 0o644)
		if it.Mode != nil {
			m = mode(it.Mode, 0o644)
		}
		out[it.Path] = fileData{v, m}
	}
	return out, nil
}

func (vs *volumeSet) secretFiles(ctx context.Context, ns, name string, items []corev1.KeyToPath, defMode *int32, optional *bool) (map[string]fileData, error) {
	s, err := vs.w.k.client.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) && optional != nil && *optional {
			return map[string]fileData{}, nil
		}
		return nil, fmt.Errorf("secret %q: %v", name, err)
	}
	return keyFiles(s.Data, items, defMode, fmt.Sprintf("secret %q", name))
}

func (vs *volumeSet) configMapFiles(ctx context.Context, ns, name string, items []corev1.KeyToPath, defMode *int32, optional *bool) (map[string]fileData, error) {
	cm, err := vs.w.k.client.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) && optional != nil && *optional {
			return map[string]fileData{}, nil
		}
		return nil, fmt.Errorf("configMap %q: %v", name, err)
	}
	data := map[string][]byte{}
	for k, v := range cm.Data {
		data[k] = []byte(v)
	}
	for k, v := range cm.BinaryData {
		data[k] = v
	}
	return keyFiles(data, items, defMode, fmt.Sprintf("configMap %q", name))
}

func downwardFiles(f podFields, items []corev1.DownwardAPIVolumeFile, defMode *int32) (map[string]fileData, error) {
	out := map[string]fileData{}
	for _, it := range items {
		v := "0" // resourceFieldRef: no cgroup limits for a process
		if it.FieldRef != nil {
			var err error
			if v, err = f.field(it.FieldRef.FieldPath); err != nil {
				return nil, err
			}
		}
		m := mode(defMode, 0o644)
		if it.Mode != nil {
			m = mode(it.Mode, 0o644)
		}
		out[it.Path] = fileData{[]byte(v), m}
	}
	return out, nil
}

func (vs *volumeSet) projectedFiles(ctx context.Context, pod *corev1.Pod, f podFields, vol string, p *corev1.ProjectedVolumeSource) (map[string]fileData, error) {
	out := map[string]fileData{}
	add := func(m map[string]fileData) {
		for k, v := range m {
			out[k] = v
		}
	}
	for _, src := range p.Sources {
		switch {
		case src.Secret != nil:
			m, err := vs.secretFiles(ctx, pod.Namespace, src.Secret.Name, src.Secret.Items, p.DefaultMode, src.Secret.Optional)
			if err != nil {
				return nil, err
			}
			add(m)
		case src.ConfigMap != nil:
			m, err := vs.configMapFiles(ctx, pod.Namespace, src.ConfigMap.Name, src.ConfigMap.Items, p.DefaultMode, src.ConfigMap.Optional)
			if err != nil {
				return nil, err
			}
			add(m)
		case src.DownwardAPI != nil:
			m, err := downwardFiles(f, src.DownwardAPI.Items, p.DefaultMode)
			if err != nil {
				return nil, err
			}
			add(m)
		case src.ServiceAccountToken != nil:
			t := src.ServiceAccountToken
			key := vol + "/" + t.Path
			cur := filepath.Join(vs.dir, vol, t.Path)
			if b, err := os.ReadFile(cur); err == nil && time.Now().Before(vs.tokens[key]) {
				out[t.Path] = fileData{b, mode(p.DefaultMode, 0o600)}
				continue
			}
			exp := int64(3600)
			if t.ExpirationSeconds != nil {
				exp = *t.ExpirationSeconds
			}
			var aud []string
			if t.Audience != "" {
				aud = []string{t.Audience}
			}
			sa := pod.Spec.ServiceAccountName
			if sa == "" {
				sa = "default"
			}
			tr, err := vs.w.k.client.CoreV1().ServiceAccounts(pod.Namespace).CreateToken(ctx, sa, &authenticationv1.TokenRequest{
				Spec: authenticationv1.TokenRequestSpec{
					Audiences:         aud,
					ExpirationSeconds: ptr.To(exp),
					BoundObjectRef:    &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: pod.Name, UID: pod.UID},
				},
			}, metav1.CreateOptions{})
			if err != nil {
				return nil, fmt.Errorf("token for service account %q: %v", sa, err)
			}
			// Renew at 80% of the lifetime, as the kubelet does.
			life := time.Until(tr.Status.ExpirationTimestamp.Time)
			vs.tokens[key] = time.Now().Add(life * 8 / 10)
			out[t.Path] = fileData{[]byte(tr.Status.Token), mode(p.DefaultMode, 0o600)}
		default:
			// clusterTrustBundle / podCertificate: nothing in a test cluster issues them.
			return nil, fmt.Errorf("projected source not supported by the process kubelet (only secret, configMap, downwardAPI, serviceAccountToken)")
		}
	}
	return out, nil
}

// atomicWrite replaces the content of dir with files (relative paths) in one rename of
// the ..data symlink. Unchanged content is not rewritten.
func atomicWrite(dir string, files map[string]fileData) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if same(dir, files) {
		return nil
	}
	ts := "..t" + strconv.FormatInt(time.Now().UnixNano(), 10)
	tsDir := filepath.Join(dir, ts)
	for p, fd := range files {
		clean := filepath.Clean(p)
		if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || strings.HasPrefix(clean, "..") {
			return fmt.Errorf("path %q leaves the volume", p)
		}
		full := filepath.Join(tsDir, clean)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, fd.data, fd.mode); err != nil {
			return err
		}
		if err := os.Chmod(full, fd.mode); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(tsDir, 0o755); err != nil {
		return err
	}
	old, _ := os.Readlink(filepath.Join(dir, "..data"))
	tmp := filepath.Join(dir, "..data_tmp")
	_ = os.Remove(tmp)
	if err := os.Symlink(ts, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
		return err
	}
	top := map[string]bool{}
	for p := range files {
		top[strings.SplitN(filepath.Clean(p), "/", 2)[0]] = true
	}
	for name := range top {
		link := filepath.Join(dir, name)
		if target, err := os.Readlink(link); err == nil && target == filepath.Join("..data", name) {
			continue
		}
		_ = os.RemoveAll(link)
		if err := os.Symlink(filepath.Join("..data", name), link); err != nil {
			return err
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, "..") {
			if n != "..data" && n != ts && strings.HasPrefix(n, "..t") {
				_ = os.RemoveAll(filepath.Join(dir, n))
			}
			continue
		}
		if !top[n] {
			_ = os.RemoveAll(filepath.Join(dir, n))
		}
	}
	if old != "" && old != ts {
		_ = os.RemoveAll(filepath.Join(dir, old))
	}
	return nil
}

func same(dir string, files map[string]fileData) bool {
	cur, err := os.Readlink(filepath.Join(dir, "..data"))
	if err != nil {
		return false
	}
	base := filepath.Join(dir, cur)
	n := 0
	err = filepath.Walk(base, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		n++
		rel, _ := filepath.Rel(base, p)
		fd, ok := files[rel]
		if !ok || info.Mode().Perm() != fd.mode {
			return errDiffers
		}
		b, err := os.ReadFile(p)
		if err != nil || string(b) != string(fd.data) {
			return errDiffers
		}
		return nil
	})
	return err == nil && n == len(files)
}

var errDiffers = fmt.Errorf("differs")

func sortStrings(s []string) { sort.Strings(s) }
