{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import mapdata as nginx with context %}
{%- from tplroot ~ "/libtofs.jinja" import files_switch with context %}

nginx-config-file-managed:
  file.managed:
    - name: {{ nginx.conf_dir }}/nginx.conf
    - source: {{ files_switch(['nginx.conf.jinja'], lookup='nginx-config-file-managed') | indent(6) }}
    - template: jinja
    - user: root
    - mode: '0644'
    - context:
        config: {{ {'worker_processes': nginx.worker_processes, 'worker_connections': nginx.worker_connections, 'user': nginx.user} | json }}

{%- for name, site in nginx.sites|dictsort %}
{%-   set enabled = site.get('enabled', True) %}

nginx-site-{{ name }}:
  file.{{ 'managed' if enabled else 'absent' }}:
    - name: {{ nginx.conf_dir }}/sites-available/{{ name }}
  {%- if enabled %}
    - contents: |
        server {
            listen {{ site.get('port', 80) }};
            server_name {{ site.server_name | default(name) }};
        {%- for loc, opts in site.get('locations', {}).items() %}
            location {{ loc }} {
          {%- for k, v in opts|dictsort %}
                {{ k }} {{ v }};
          {%- endfor %}
            }
        {%- endfor %}
        }
  {%- endif %}
    - require_in:
      - service: nginx-service-running-service-running
{%- endfor %}
