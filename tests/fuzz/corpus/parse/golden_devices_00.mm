# Devices, roofline predictions, time() and units of time
# exact
:devices
:device h100
