namespace AmebaOta.Pins;

/// <summary>A pin's logic level.</summary>
public enum PinLevel : byte
{
    /// <summary>0 V.</summary>
    Low = 0,
    /// <summary>3.3 V.</summary>
    High = 1,
}
