// Placeholder until this layer has sources; delete when one lands.
