"""Planning a day: `plan(scenario, options) -> Plan` chooses a method and runs it."""
