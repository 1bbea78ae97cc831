namespace AmebaOta.Protocol.OtaUi.Server;

/// <summary>
/// A server mistake <c>serve --ota-ui --fault</c> makes on purpose on <c>GET /api/uploadfile</c>, to see what it does to a
/// board (and to the judge). A normal server never makes any of them.
/// </summary>
public enum OtaUiFault
{
    /// <summary>No fault.</summary>
    None,
    /// <summary>
    /// The stock server's downloads, byte for byte: the image with lower-case header names (<c>content-length</c>, which
    /// AmebaD's SDK does not find), and no image as <c>200 OK</c> with a chunked JSON error body.
    /// </summary>
    Stock,
    /// <summary><c>404 Not Found</c> even though an image is there.</summary>
    NotFound,
    /// <summary>Half the body, then an orderly close (FIN).</summary>
    CloseEarly,
    /// <summary>Half the body, then silence with the connection open.</summary>
    Stall,
    /// <summary>The body trickles at a few KB/s.</summary>
    Slow,
}

/// <summary>Names of <see cref="OtaUiFault"/> values as <c>--fault</c> spells them.</summary>
public static class OtaUiFaults
{
    /// <summary>Every fault, in the order the help lists them.</summary>
    public static IReadOnlyList<OtaUiFault> All { get; } =
        [OtaUiFault.Stock, OtaUiFault.NotFound, OtaUiFault.CloseEarly, OtaUiFault.Stall, OtaUiFault.Slow];

    /// <summary><c>stock</c>, <c>404</c>, <c>close-early</c>, <c>stall</c>, <c>slow</c> (or <c>none</c>).</summary>
    public static string Id(OtaUiFault fault) => fault switch
    {
        OtaUiFault.Stock => "stock",
        OtaUiFault.NotFound => "404",
        OtaUiFault.CloseEarly => "close-early",
        OtaUiFault.Stall => "stall",
        OtaUiFault.Slow => "slow",
        _ => "none",
    };

    /// <summary>Parses a <c>--fault</c> value.</summary>
    public static bool TryParse(string text, out OtaUiFault fault)
    {
        foreach (var f in All.Append(OtaUiFault.None))
        {
            if (string.Equals(Id(f), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                fault = f;
                return true;
            }
        }
        fault = OtaUiFault.None;
        return false;
    }
}
