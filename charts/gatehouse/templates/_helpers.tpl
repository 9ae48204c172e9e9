{{/* Name of the chart, for app.kubernetes.io/name. */}}
{{- define "gatehouse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Prefix of every resource name: <release>-gatehouse, or the release name when it already contains the chart name. */}}
{{- define "gatehouse.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels the pods are selected by (the Deployment, the PDB, and every local Gateway's Service via --proxy-pod-selector). */}}
{{- define "gatehouse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gatehouse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The same labels as --proxy-pod-selector's k=v,k2=v2. */}}
{{- define "gatehouse.proxyPodSelector" -}}
{{- printf "app.kubernetes.io/name=%s,app.kubernetes.io/instance=%s" (include "gatehouse.name" .) .Release.Name -}}
{{- end -}}

{{- define "gatehouse.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "gatehouse.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: gatehouse
{{- end -}}

{{- define "gatehouse.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "gatehouse.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "gatehouse.leaseName" -}}
{{- default (printf "%s-leader" (include "gatehouse.fullname" .)) .Values.leaderElection.leaseName -}}
{{- end -}}

{{- define "gatehouse.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* controllerNames of the enabled backends, one per line. */}}
{{- define "gatehouse.controllerNames" -}}
{{- if .Values.backends.local.enabled }}
gatehouse.dev/local
{{- end }}
{{- if .Values.backends.awsVpcLattice.enabled }}
gatehouse.dev/aws-vpc-lattice
{{- end }}
{{- if .Values.backends.gcp.enabled }}
gatehouse.dev/gcp
{{- end }}
{{- end -}}

{{/* Fails the render when no backend is enabled. */}}
{{- define "gatehouse.validate" -}}
{{- if not (or .Values.backends.local.enabled .Values.backends.awsVpcLattice.enabled .Values.backends.gcp.enabled) -}}
{{- fail "gatehouse: enable at least one backend (backends.local.enabled, backends.awsVpcLattice.enabled or backends.gcp.enabled)" -}}
{{- end -}}
{{- $ports := splitList "-" .Values.backends.local.internalPorts -}}
{{- if and .Values.backends.local.enabled (or (lt (int (index $ports 0)) 1024) (gt (int (index $ports 1)) 65535) (gt (int (index $ports 0)) (int (index $ports 1)))) -}}
{{- fail (printf "gatehouse: backends.local.internalPorts %q: want from-to with 1024 <= from <= to <= 65535 (the pods run as non-root)" .Values.backends.local.internalPorts) -}}
{{- end -}}
{{- if and .Values.backends.awsVpcLattice.enabled (not .Values.backends.awsVpcLattice.gatewayClasses) -}}
{{- fail "gatehouse: backends.awsVpcLattice.gatewayClasses is empty: name at least one GatewayClass (e.g. amazon-vpc-lattice)" -}}
{{- end -}}
{{- if and .Values.backends.gcp.enabled (not .Values.backends.gcp.gatewayClasses) -}}
{{- fail "gatehouse: backends.gcp.gatewayClasses is empty: name at least one GatewayClass" -}}
{{- end -}}
{{- end -}}
