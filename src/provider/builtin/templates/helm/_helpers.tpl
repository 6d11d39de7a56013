{{/*
Helpers of the __CHART__ chart. Each template writes its object's name and labels out in full;
only what depends on the chart itself is computed here.
*/}}

{{/*
The helm.sh/chart label: chart name and version, with "+" (not allowed in label values)
replaced, at most 63 characters.
*/}}
{{- define "__CHART__.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}
