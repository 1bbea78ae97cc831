namespace AmebaOta.Boot;

public enum PinLevel : byte { Low = 0, High = 1 }
