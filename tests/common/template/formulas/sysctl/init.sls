{%- if grains.os_family not in ['Debian', 'RedHat'] %}
{{ raise('sysctl formula: unsupported os_family ' ~ grains.os_family) }}
{%- endif %}
{%- import_yaml "sysctl/params.yaml" as params %}
{%- set conf_file = salt['pillar.get']('sysctl:conf_file', '/etc/sysctl.d/99-salt.conf') %}
{%- set ns = namespace(changed=[]) %}

{%- for key, value in params|dictsort %}
{%-   set state_id = 'sysctl-' ~ key|regex_replace('[^A-Za-z0-9]+', '-') %}
{%-   if value is mapping %}
{{ raise('sysctl value for ' ~ key ~ ' must be a scalar') }}
{%-   endif %}
{{ state_id }}:
  sysctl.present:
    - name: {{ key }}
    - value: {{ value }}
    - config: {{ conf_file }}
{%-   if (key|traverse('x', none)) is none and key.startswith('net.') %}{% do ns.changed.append(key) %}{% endif %}
{%- endfor %}

sysctl-summary:
  test.nop:
    - network_params: {{ ns.changed | json }}
    - kernel: {{ grains.kernelrelease | regex_search('^(\d+)\.(\d+)') | join('.') }}
{%- include "sysctl/extra.sls" ignore missing %}
