"""The field services, one module per part: `scheduling` (create, schedule, unschedule: the
one place the clearance rule is asked before a visit gets a technician). Views, the API, the
CLI, the route planner and the demo call these; each is one transaction and writes the
ticket's timeline."""
