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
}
