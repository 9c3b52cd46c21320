{%- from "users/map.jinja" import defaults, users, absent with context %}
{%- import "users/macros.jinja" as m %}
{%- set ns = namespace(count=0, sudoers=[]) %}

{%- for name, user in users|dictsort if name not in absent %}
{%-   set ns.count = ns.count + 1 %}
{%-   if user.get('sudo') %}{% do ns.sudoers.append(name) %}{% endif %}

{{ m.user_state(name, user, defaults) }}
{%- endfor %}

{%- for name in absent %}

{{ m.absent_state(name) }}
{%- endfor %}

{% call m.with_header('summary') %}
users_summary:
  test.show_notification:
    - text: {{ ('%d users, %d sudoers: %s'|format(ns.count, ns.sudoers|length, ns.sudoers|join(', ')))|yaml_dquote }}
{% endcall %}
