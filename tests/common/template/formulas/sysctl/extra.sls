
sysctl-extra:
  test.nop:
    - host: {{ grains.host }}
    - ips: {{ grains.ipv4 | reject('match', '^127\\.') | list }}
