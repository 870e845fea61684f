package main

import (
	"encoding/json"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// manifest is what the tests read of a Kubernetes object.
type manifest struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
	Data       map[string]string `json:"data"`
	StringData map[string]string `json:"stringData"`
	Spec       struct {
		Replicas    *int            `json:"replicas"`
		MinReplicas *int            `json:"minReplicas"`
		Selector    json.RawMessage `json:"selector"` // a map (Service) or matchLabels
		Template    struct {
			Metadata struct {
				Labels      map[string]string `json:"labels"`
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
			Spec podSpec `json:"spec"`
		} `json:"template"`
		Ports []struct {
			Port       int `json:"port"`
			TargetPort any `json:"targetPort"`
		} `json:"ports"`
		ScaleTargetRef struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"scaleTargetRef"`
		Metrics []struct {
			Resource struct {
				Name string `json:"name"`
			} `json:"resource"`
		} `json:"metrics"`
	} `json:"spec"`
}

type podSpec struct {
	RestartPolicy   string `json:"restartPolicy"`
	SecurityContext struct {
		RunAsNonRoot *bool `json:"runAsNonRoot"`
		RunAsUser    *int  `json:"runAsUser"`
	} `json:"securityContext"`
	Containers []container `json:"containers"`
}

type container struct {
	Image string   `json:"image"`
	Args  []string `json:"args"`
	Ports []struct {
		Name          string `json:"name"`
		ContainerPort int    `json:"containerPort"`
	} `json:"ports"`
	EnvFrom []struct {
		ConfigMapRef *struct{ Name string } `json:"configMapRef"`
		SecretRef    *struct{ Name string } `json:"secretRef"`
	} `json:"envFrom"`
	Env []struct {
		Name string `json:"name"`
	} `json:"env"`
	Resources struct {
		Limits map[string]string `json:"limits"`
	} `json:"resources"`
	VolumeMounts []struct {
		MountPath string `json:"mountPath"`
	} `json:"volumeMounts"`
	ReadinessProbe *probe `json:"readinessProbe"`
	LivenessProbe  *probe `json:"livenessProbe"`
	StartupProbe   *probe `json:"startupProbe"`
}

type probe struct {
	HTTPGet struct {
		Path string `json:"path"`
		Port any    `json:"port"`
	} `json:"httpGet"`
}

// matchLabels reads a selector: a Service's map, or another's matchLabels.
func (m manifest) matchLabels(t *testing.T) map[string]string {
	var sel struct {
		MatchLabels map[string]string `json:"matchLabels"`
	}
	if err := json.Unmarshal(m.Spec.Selector, &sel); err != nil || sel.MatchLabels == nil {
		var plain map[string]string
		if err := json.Unmarshal(m.Spec.Selector, &plain); err != nil {
			t.Fatalf("%s %s: selector %s: %v", m.Kind, m.Metadata.Name, m.Spec.Selector, err)
		}
		return plain
	}
	return sel.MatchLabels
}

// selects tells whether a selector picks pods labelled so.
func selects(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// runtimeEnv are variables the manifests set for the Go runtime, not for
// config.go.
var runtimeEnv = []string{"GOMEMLIMIT"}

// The manifests of deploy/k8s fit the service they deploy: the probes ask
// paths it serves on the port it listens on, every variable they set is
// one it reads, those it needs are set, the Job migrates, and every
// selector picks the serving pods (and the Job's pods only where meant).
func TestKubernetesManifestsFitTheService(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "deploy", "k8s")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatal("no manifests in deploy/k8s", err)
	}
	byKind := map[string]manifest{}
	var kustomization struct {
		Resources []string `json:"resources"`
		Images    []struct {
			Name string `json:"name"`
		} `json:"images"`
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "kustomization.yaml" {
			if err := yaml.Unmarshal(raw, &kustomization); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			continue
		}
		var m manifest
		if err := yaml.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, dup := byKind[m.Kind]; dup || m.Kind == "" || m.Metadata.Name == "" {
			t.Fatalf("%s: kind %q named %q (one object a file, one file a kind)", f, m.Kind, m.Metadata.Name)
		}
		byKind[m.Kind] = m
		if !slices.Contains(kustomization.Resources, filepath.Base(f)) && len(kustomization.Resources) > 0 {
			t.Errorf("kustomization.yaml does not list %s", filepath.Base(f))
		}
	}
	for kind, api := range map[string]string{"ConfigMap": "v1", "Secret": "v1", "Service": "v1", "Deployment": "apps/v1",
		"Job": "batch/v1", "HorizontalPodAutoscaler": "autoscaling/v2", "PodDisruptionBudget": "policy/v1"} {
		if m, ok := byKind[kind]; !ok || m.APIVersion != api {
			t.Errorf("%s: apiVersion %q, want %s", kind, m.APIVersion, api)
		}
	}
	if len(kustomization.Resources) != len(byKind) {
		t.Errorf("kustomization.yaml lists %v, deploy/k8s holds %d manifests", kustomization.Resources, len(byKind))
	}
	deploy, job := byKind["Deployment"], byKind["Job"]
	if len(deploy.Spec.Template.Spec.Containers) != 1 || len(job.Spec.Template.Spec.Containers) != 1 {
		t.Fatal("the Deployment and the Job run one container each")
	}
	serve, migrate := deploy.Spec.Template.Spec.Containers[0], job.Spec.Template.Spec.Containers[0]
	pods := deploy.Spec.Template.Metadata.Labels

	// Replicas, selectors.
	if r := deploy.Spec.Replicas; r == nil || *r < 2 {
		t.Error("the Deployment runs fewer than 2 replicas")
	}
	if !selects(deploy.matchLabels(t), pods) {
		t.Error("the Deployment's selector does not pick its own pods")
	}
	for _, kind := range []string{"Service", "PodDisruptionBudget"} {
		sel := byKind[kind].matchLabels(t)
		if !selects(sel, pods) {
			t.Errorf("the %s's selector %v does not pick the serving pods %v", kind, sel, pods)
		}
		if selects(sel, job.Spec.Template.Metadata.Labels) {
			t.Errorf("the %s's selector picks the migration Job's pods too", kind)
		}
	}
	hpa := byKind["HorizontalPodAutoscaler"]
	if hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != deploy.Metadata.Name ||
		hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 || len(hpa.Spec.Metrics) != 1 || hpa.Spec.Metrics[0].Resource.Name != "cpu" {
		t.Errorf("the HPA does not scale the Deployment on CPU from 2 replicas: %+v", hpa.Spec)
	}

	// The image, what it runs, as whom, in how much memory.
	if len(kustomization.Images) != 1 || serve.Image != kustomization.Images[0].Name || migrate.Image != serve.Image {
		t.Errorf("images: serve %q, migrate %q, kustomization %+v", serve.Image, migrate.Image, kustomization.Images)
	}
	if !slices.Equal(serve.Args, []string{"serve"}) || !slices.Equal(migrate.Args, []string{"migrate"}) {
		t.Errorf("args: serve %v, Job %v; want [serve] and [migrate]", serve.Args, migrate.Args)
	}
	if p := job.Spec.Template.Spec.RestartPolicy; p != "Never" && p != "OnFailure" {
		t.Errorf("the Job's restartPolicy %q", p)
	}
	dockerfile, err := os.ReadFile(filepath.Join("..", "..", "deploy", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, pod := range []podSpec{deploy.Spec.Template.Spec, job.Spec.Template.Spec} {
		sc := pod.SecurityContext
		// distroless's "nonroot" (USER in deploy/Dockerfile) is 65532.
		if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != 65532 ||
			!strings.Contains(string(dockerfile), "USER nonroot") {
			t.Error("a pod does not run as the image's non-root user 65532")
		}
	}
	if serve.Resources.Limits["memory"] != "128Mi" {
		t.Errorf("the serving container's memory limit %q, want 128Mi", serve.Resources.Limits["memory"])
	}

	// Environment: every name set is read, every name needed is set.
	cm, secret := byKind["ConfigMap"], byKind["Secret"]
	for _, c := range []container{serve, migrate} {
		var refs []string
		for _, from := range c.EnvFrom {
			switch {
			case from.ConfigMapRef != nil:
				refs = append(refs, "ConfigMap "+from.ConfigMapRef.Name)
			case from.SecretRef != nil:
				refs = append(refs, "Secret "+from.SecretRef.Name)
			}
		}
		if want := []string{"ConfigMap " + cm.Metadata.Name, "Secret " + secret.Metadata.Name}; !slices.Equal(refs, want) {
			t.Errorf("a container's envFrom %v, want %v", refs, want)
		}
	}
	var read []string
	(&config{}).flags(flag.NewFlagSet("k8s", flag.ContinueOnError), func(k string) string { read = append(read, k); return "" })
	env := map[string]string{}
	for k, v := range cm.Data {
		env[k] = v
	}
	for k, v := range secret.StringData {
		env[k] = v
		if !strings.Contains(v, "CHANGE-ME") {
			t.Errorf("the Secret template holds a real-looking %s: placeholders only", k)
		}
	}
	set := slices.Collect(func(yield func(string) bool) {
		for k := range env {
			yield(k)
		}
		for _, e := range serve.Env {
			yield(e.Name)
		}
	})
	for _, name := range set {
		if !slices.Contains(read, name) && !slices.Contains(runtimeEnv, name) {
			t.Errorf("the manifests set %s, which config.go does not read", name)
		}
	}
	for _, name := range []string{"DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "HTTP_ADDR"} {
		if env[name] == "" {
			t.Errorf("the manifests do not set %s", name)
		}
	}
	// The root file system is read-only: the folders the service writes
	// (the photo cache, the spool of Zalo events) are on volumes.
	for _, name := range []string{"MEDIA_CACHE_DIR", "SPOOL_DIR"} {
		mounted := false
		for _, m := range serve.VolumeMounts {
			mounted = mounted || env[name] == m.MountPath || strings.HasPrefix(env[name], strings.TrimRight(m.MountPath, "/")+"/")
		}
		if !mounted {
			t.Errorf("%s=%q is on no volume of the serving container (its root file system is read-only)", name, env[name])
		}
	}
	// The Zalo bot's link, named so that it is found, is an address serve
	// takes: https, or none.
	if link, ok := cm.Data["ZALO_BOT_LINK"]; !ok || (link != "" && !httpsURL(link)) {
		t.Errorf("the ConfigMap's ZALO_BOT_LINK %q (set %t): serve takes an https address or none", link, ok)
	}
	// The spool is bounded: its volume cannot fill during a long outage.
	if n, err := strconv.Atoi(env["SPOOL_MAX"]); err != nil || n <= 0 {
		t.Errorf("SPOOL_MAX=%q: the manifests leave the spool of Zalo events unbounded", env["SPOOL_MAX"])
	}
	if env["SANDBOX"] != "0" {
		t.Error("the manifests leave the web sandbox on (SANDBOX=0 in a real deployment)")
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`).MatchString(env["TELEGRAM_WEBHOOK_SECRET"]) {
		t.Error("the Secret's TELEGRAM_WEBHOOK_SECRET placeholder is not a valid secret: serve would refuse it")
	}

	// The port the service listens on, and what the probes ask of it.
	_, port, err := net.SplitHostPort(env["HTTP_ADDR"])
	if err != nil {
		t.Fatalf("HTTP_ADDR %q: %v", env["HTTP_ADDR"], err)
	}
	if len(serve.Ports) != 2 || serve.Ports[0].Name != "http" || strconv.Itoa(serve.Ports[0].ContainerPort) != port ||
		!strings.Contains(string(dockerfile), "EXPOSE "+port) {
		t.Fatalf("the container's first port %+v is not HTTP_ADDR's %s (and the Dockerfile's EXPOSE)", serve.Ports, port)
	}
	// Prometheus scrapes /metrics on METRICS_ADDR's port, which the
	// Service does not expose.
	_, metricsPort, err := net.SplitHostPort(env["METRICS_ADDR"])
	if err != nil {
		t.Fatalf("METRICS_ADDR %q: %v", env["METRICS_ADDR"], err)
	}
	scrape := deploy.Spec.Template.Metadata.Annotations
	if scrape["prometheus.io/scrape"] != "true" || scrape["prometheus.io/port"] != metricsPort || scrape["prometheus.io/path"] != "/metrics" ||
		serve.Ports[1].Name != "metrics" || strconv.Itoa(serve.Ports[1].ContainerPort) != metricsPort {
		t.Errorf("Prometheus scrapes %v, the container's second port is %+v; want /metrics on METRICS_ADDR's %s", scrape, serve.Ports[1], metricsPort)
	}
	portOK := func(p any) bool {
		return p == serve.Ports[0].Name || p == float64(serve.Ports[0].ContainerPort)
	}
	if svc := byKind["Service"]; len(svc.Spec.Ports) != 1 || !portOK(svc.Spec.Ports[0].TargetPort) {
		t.Errorf("the Service's targetPort is not the container's port: %+v", svc.Spec.Ports)
	}
	probes := map[string]*probe{"readiness": serve.ReadinessProbe, "liveness": serve.LivenessProbe, "startup": serve.StartupProbe}
	want := map[string]string{"readiness": "/readyz", "liveness": "/healthz", "startup": "/healthz"}
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, withManifestEnv(t, tg, env))
	for name, p := range probes {
		if p == nil {
			t.Errorf("no %s probe", name)
			continue
		}
		if p.HTTPGet.Path != want[name] || !portOK(p.HTTPGet.Port) {
			t.Errorf("%s probe asks %v %s, want %s on the container's port", name, p.HTTPGet.Port, p.HTTPGet.Path, want[name])
		}
		if status, _ := b.Get(p.HTTPGet.Path); status != http.StatusOK {
			t.Errorf("%s probe: GET %s answers %d", name, p.HTTPGet.Path, status)
		}
	}
	if status, _ := b.Get("/metrics"); status != http.StatusNotFound {
		t.Errorf("with METRICS_ADDR, the public port answers /metrics %d, want 404", status)
	}
	line := regexp.MustCompile(`\{[^\n]*"metrics listening"[^\n]*\}`).FindString(b.Logs.String())
	addr := regexp.MustCompile(`"addr":"([^"]+)"`).FindStringSubmatch(line)
	if addr == nil {
		t.Fatalf("no metrics listener in the logs:\n%s", b.Logs)
	}
	resp, err := http.Get("http://" + addr[1] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "nongsan_outbox_chats_waiting") {
		t.Errorf("METRICS_ADDR's /metrics: %d %.200s", resp.StatusCode, body)
	}
}

// withManifestEnv is a test bot's environment with the manifests' settings
// where they do not name the deployment's own services and addresses.
func withManifestEnv(t *testing.T, tg *telegramtest.Server, manifest map[string]string) map[string]string {
	env := newEnv(t, tg)
	for k, v := range manifest {
		switch k {
		case "METRICS_ADDR": // a port of this machine's choosing
			env[k] = "127.0.0.1:0"
		case "DATABASE_URL", "REDIS_URL", "REDIS_PREFIX", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "HTTP_ADDR", "PUBLIC_BASE_URL", "MEDIA_CACHE_DIR", "SPOOL_DIR":
		default:
			env[k] = v
		}
	}
	return env
}
