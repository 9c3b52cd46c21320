{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import mapdata as nginx with context %}

nginx-service-running-service-running:
  service.{{ 'running' if nginx.enabled else 'dead' }}:
    - name: {{ nginx.service }}
    - enable: {{ nginx.enabled | to_bool }}
    - watch:
      - file: nginx-config-file-managed
    - require:
      - pkg: nginx-package-install-pkg-installed
