using System.Net;

namespace AmebaOta.Device.Farm;

/// <summary>One running board of a <see cref="DeviceFarm"/>.</summary>
public sealed class FarmBoard(FarmBoardPlan plan, VirtualBoard board, bool created)
{
    public FarmBoardPlan Plan { get; } = plan;
    public string Name => Plan.Name;
    public IPAddress Address => Plan.Address;
    public string FlashPath => Plan.FlashPath;
    public VirtualBoard Board { get; } = board;

    /// <summary>The port the board listens on, for notes (<c>8082</c>; its sketch's port when the farm does not override it).</summary>
    public string PortText => Board.PortOverride is { } p ? p.ToString() : "its sketch's port";

    /// <summary>True when the farm created this board's flash file from the image; false when it booted an existing one.</summary>
    public bool Created { get; } = created;
}
