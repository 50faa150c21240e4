"""The Zalo channel: the Bot API client (:mod:`.client`), the adapter to the handlers
(:mod:`.channel`), polling for development (:mod:`.polling`) and a Zalo-shaped server for the tests
and the sandbox (:mod:`.fake`)."""
