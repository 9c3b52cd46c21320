{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import mapdata as nginx with context %}

nginx-package-install-pkg-installed:
  pkg.installed:
    - name: {{ nginx.pkg }}
{%- if nginx.modules %}
    - pkgs:
  {%- for mod in nginx.modules|sort %}
      - libnginx-mod-{{ mod }}
  {%- endfor %}
{%- endif %}
