namespace AmebaOta.Families.Ameba1.Pull;

/// <summary>
/// A server mistake <c>serve --fault</c> reproduces on purpose, so a user can see what such a server does to a board. A
/// normal server never makes any of them.
/// </summary>
public enum PullFault
{
    /// <summary>No fault: every client gets exactly what it parses.</summary>
    None,
    /// <summary>The image paths answer <c>404 Not Found</c> with an HTML page (check.txt is still served): CloudOTA flashes the page, then <c>Checksum Error</c>.</summary>
    NotFound,
    /// <summary>Headers in lower case (<c>content-length</c>): <c>http_update_ota</c> finds no length; CloudOTA reads length 0 and erases the whole chip.</summary>
    LowercaseLength,
    /// <summary>A status line without a reason phrase (<c>HTTP/1.1 200</c>): <c>http_update_ota</c> gives up.</summary>
    NoReason,
    /// <summary>The body trickles at a few KB/s: CloudOTA's 30 s deadline for the whole body runs out.</summary>
    Slow,
    /// <summary>Half the body, then an orderly close (FIN): <c>http_update_ota</c> spins on <c>read() == 0</c> forever.</summary>
    CloseEarly,
    /// <summary>Half the body, then silence with the connection open: the SDK clients, which have no timeout, wait forever.</summary>
    Stall,
}

/// <summary>Names of <see cref="PullFault"/> values as <c>--fault</c> spells them.</summary>
public static class PullFaults
{
    /// <summary>Every fault, in the order the help lists them.</summary>
    public static IReadOnlyList<PullFault> All { get; } =
        [PullFault.NotFound, PullFault.LowercaseLength, PullFault.NoReason, PullFault.Slow, PullFault.CloseEarly, PullFault.Stall];

    /// <summary><c>404</c>, <c>lowercase-length</c>, <c>no-reason</c>, <c>slow</c>, <c>close-early</c>, <c>stall</c> (or <c>none</c>).</summary>
    public static string Id(PullFault fault) => fault switch
    {
        PullFault.NotFound => "404",
        PullFault.LowercaseLength => "lowercase-length",
        PullFault.NoReason => "no-reason",
        PullFault.Slow => "slow",
        PullFault.CloseEarly => "close-early",
        PullFault.Stall => "stall",
        _ => "none",
    };

    /// <summary>Parses a <c>--fault</c> value.</summary>
    public static bool TryParse(string text, out PullFault fault)
    {
        foreach (var f in All.Append(PullFault.None))
        {
            if (string.Equals(Id(f), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                fault = f;
                return true;
            }
        }
        fault = PullFault.None;
        return false;
    }
}
