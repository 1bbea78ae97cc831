using System.Net;
using AmebaOta.Families.Ameba1.Pull;

namespace AmebaOta.Cli.Serve;

/// <summary>What <c>ameba-ota serve</c> was asked to do.</summary>
public sealed record ServeOptions(
    string ImagePath,
    IPAddress Address,
    int HttpPort,
    int? TcpPort,
    PullFault Fault,
    double SlowBytesPerSecond,
    bool JsonLog,
    bool Watch,
    bool Force)
{
    /// <summary>Where the control requests go (POST, with the per-run token).</summary>
    public const string ControlPrefix = "/_ameba-ota/";

    /// <summary>Descriptors kept for what is not a connection (listeners, the file watcher, the runtime's own) when the limit is raised.</summary>
    public const int SpareDescriptors = 64;

    /// <summary>Default of <see cref="MaxConnections"/>.</summary>
    public const int DefaultMaxConnections = 4096;

    /// <summary>Default of <see cref="Settle"/>.</summary>
    public static readonly TimeSpan DefaultSettle = TimeSpan.FromSeconds(3);

    /// <summary>Connections held at once, both ports together; one more is refused with a reset and a log line.</summary>
    public int MaxConnections { get; init; } = DefaultMaxConnections;

    /// <summary>How long a changed image file must stay unchanged before it is served.</summary>
    public TimeSpan Settle { get; init; } = DefaultSettle;
}
