
namespace AmebaOta.Pins;

/// <summary>
/// The levels of the chip's pins at reset. Pins not set read LOW. Thread-safe: a running virtual board reads them at
/// each boot while a control command may change them from another thread.
/// </summary>
public sealed class PinLevels
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ChipPin, PinLevel> _levels = [];

    /// <summary>Every pin LOW.</summary>
    public static PinLevels AllLow => new();

    /// <summary>The level of <paramref name="pin"/>; unset pins read LOW.</summary>
    public PinLevel this[ChipPin pin]
    {
        get { lock (_gate) return _levels.GetValueOrDefault(pin, PinLevel.Low); }
        set { lock (_gate) _levels[pin] = value; }
    }

    /// <summary>A snapshot of the pins set explicitly (HIGH or LOW).</summary>
    public IReadOnlyDictionary<ChipPin, PinLevel> Set
    {
        get { lock (_gate) return new Dictionary<ChipPin, PinLevel>(_levels); }
    }

    /// <summary>These levels with each used recovery pin at its active level.</summary>
    public PinLevels WithActive(params RecoveryPin[] recoveryPins) => With(recoveryPins, active: true);

    /// <summary>These levels with each used recovery pin at its inactive level.</summary>
    public PinLevels WithInactive(params RecoveryPin[] recoveryPins) => With(recoveryPins, active: false);

    private PinLevels With(RecoveryPin[] recoveryPins, bool active)
    {
        var copy = Clone();
        foreach (var pin in recoveryPins.Where(p => p.IsUsed))
            copy[pin.Chip] = active == (pin.ActiveLevel == PinLevel.High) ? PinLevel.High : PinLevel.Low;
        return copy;
    }

    /// <summary>A copy that can be changed independently.</summary>
    public PinLevels Clone()
    {
        var copy = new PinLevels();
        foreach (var (pin, level) in Set) copy[pin] = level;
        return copy;
    }

    /// <summary>Parses "18=high", "PE_5=low" (an Arduino pin number is mapped with <paramref name="map"/>). Returns an error or null.</summary>
    public string? TrySet(string assignment, PinMap map)
    {
        int eq = assignment.IndexOf('=');
        if (eq < 0) return $"'{assignment}' is not PIN=high|low (for example 18=high)";
        string pinText = assignment[..eq].Trim(), levelText = assignment[(eq + 1)..].Trim().ToLowerInvariant();
        PinLevel level;
        if (levelText is "high" or "1" or "h") level = PinLevel.High;
        else if (levelText is "low" or "0" or "l") level = PinLevel.Low;
        else return $"'{levelText}' is not a pin level: use high or low";
        if (ResolvePin(pinText, map, out var chip) is { } error) return error;
        this[chip] = level;
        return null;
    }

    /// <summary>An Arduino pin number (mapped through the board's pin map) or a chip pin name like PE_5.</summary>
    public static string? ResolvePin(string pinText, PinMap map, out ChipPin chip)
    {
        if (ChipPin.TryParse(pinText, out chip)) return null;
        if (int.TryParse(pinText, out int arduino))
        {
            if (map.ToChip(arduino) is { } c) { chip = c; return null; }
            return $"Arduino pin {arduino} is not connected on {BoardKinds.Id(map.Board)}";
        }
        return $"'{pinText}' is not a pin: use an Arduino pin number (18) or a chip pin name (PE_5)";
    }
}
