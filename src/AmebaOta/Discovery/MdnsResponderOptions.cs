using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmebaOta.Discovery;

/// <summary>Where and how a <see cref="MdnsResponder"/> runs. Defaults follow RFC 6762.</summary>
public sealed record MdnsResponderOptions
{
    /// <summary>Interface name (<c>lo</c>) or address (<c>127.0.0.1</c>); null for every multicast-capable interface. See <see cref="MdnsInterface.Resolve"/>.</summary>
    public string? Interface { get; init; }

    /// <summary>§8.1: three probes 250 ms apart.</summary>
    public int ProbeCount { get; init; } = 3;
    /// <summary>Gap between probes (250 ms in RFC 6762).</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>§8.3: at least two announcements, one second apart.</summary>
    public int AnnouncementCount { get; init; } = 2;
    /// <summary>Gap between announcements (1 s).</summary>
    public TimeSpan AnnouncementInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Where the responder logs claims and conflicts.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;
}
