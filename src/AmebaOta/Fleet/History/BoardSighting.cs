using System.Net;
using AmebaOta.Discovery;
using AmebaOta.Families;

namespace AmebaOta.Fleet.History;

/// <summary>A board seen by mDNS discovery at a moment: what its advertisement said.</summary>
public sealed record BoardSighting(string Name, IPAddress Address, int Port, string? Host, string? BoardId, DateTimeOffset SeenAt)
{
    /// <summary>The board's family.</summary>
    public string Family { get; init; } = BoardFamilies.DefaultId;

    /// <summary>The site whose agent saw it; null for a command's own discovery (the board keeps the site it had).</summary>
    public string? Site { get; init; }

    /// <summary>A sighting of a resolved service, now.</summary>
    public static BoardSighting Of(DiscoveredService service) =>
        new(service.InstanceName, service.Address, service.Port, service.Host, service.Board, DateTimeOffset.UtcNow)
        {
            Family = service.Family?.Id ?? BoardFamilies.DefaultId,
        };
}
