"""The demo school (华北水利水电大学): plan, steps and loader behind `manage.py load_demo`.
No other app imports it. See `loader.py` for the order of the steps and docs/demo.md."""
