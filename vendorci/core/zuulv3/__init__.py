"""Zuul v3+ configuration in a data repository: config projects (``zuul.d/``), zuul.conf and the tenant file.

- :mod:`.loader` finds config projects and reads their YAML with file and line;
- :mod:`.schema` checks each stanza's attributes and the references between stanzas;
- :mod:`.policy` applies the upstream's rules for third-party CIs;
- :mod:`.site` checks a Zuul v3 ``zuul.conf`` and tenant file;
- :mod:`.check` puts them together for ``vendorci validate``.

Everything here reads files only; nothing is run or fetched.
"""
