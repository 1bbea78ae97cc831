namespace AmebaOta.Device;

/// <summary>
/// Where a virtual board's output goes. <see cref="Serial"/> is exactly what a real board prints on its serial port,
/// one line per call (no line ending); <see cref="Note"/> is the simulator talking about itself (a port chosen, an
/// image it cannot run), never something a real board would print.
/// </summary>
public interface IBoardConsole
{
    void Serial(string line);
    void Note(string line);
}

/// <summary>An <see cref="IBoardConsole"/> made of two delegates; either may be null to drop that output.</summary>
public sealed class DelegateBoardConsole(Action<string>? serial, Action<string>? note = null) : IBoardConsole
{
    public static IBoardConsole Null { get; } = new DelegateBoardConsole(null);

    public void Serial(string line) => serial?.Invoke(line);
    public void Note(string line) => note?.Invoke(line);
}
