namespace AmebaOta.Families.Ameba1.Pull;

/// <summary>Which client a request (or connection) is served as (docs/reference section 10).</summary>
public enum PullProtocol
{
    /// <summary>CloudOTA's <c>OTA.gatherOTAinfo</c>: <c>GET /check.txt</c>, answered with the byte-sum as decimal text.</summary>
    CloudCheck,
    /// <summary>CloudOTA's <c>OTA.beginRemote</c>: <c>GET /ota.bin</c>, answered with the raw image.</summary>
    CloudImage,
    /// <summary>The SDK's <c>http_update_ota</c>: any other path, answered with the image and its 4-byte checksum trailer.</summary>
    SdkHttp,
    /// <summary>The SDK's <c>update_ota_local</c> on the raw TCP port: 12-byte header, image, trailer; the server speaks first.</summary>
    SdkLocal,
}

/// <summary>Names and routing of <see cref="PullProtocol"/>.</summary>
public static class PullProtocols
{
    /// <summary><c>cloud-check</c>, <c>cloud-image</c>, <c>sdk-http</c>, <c>sdk-local</c>.</summary>
    public static string Id(PullProtocol protocol) => protocol switch
    {
        PullProtocol.CloudCheck => "cloud-check",
        PullProtocol.CloudImage => "cloud-image",
        PullProtocol.SdkHttp => "sdk-http",
        _ => "sdk-local",
    };

    /// <summary>
    /// The protocol an HTTP request path is served as: a path ending in <c>/check.txt</c> or <c>/ota.bin</c> is CloudOTA's
    /// (so a sketch whose server names a directory still finds them), every other path (the SDK example's empty resource
    /// <c>/</c> included) gets the image with its trailer, as <c>http_update_ota</c> wants. A query string is ignored.
    /// </summary>
    public static PullProtocol ForPath(ReadOnlySpan<char> path)
    {
        int query = path.IndexOfAny('?', '#');
        if (query >= 0) path = path[..query];
        if (path.EndsWith("/check.txt", StringComparison.Ordinal)) return PullProtocol.CloudCheck;
        if (path.EndsWith("/ota.bin", StringComparison.Ordinal)) return PullProtocol.CloudImage;
        return PullProtocol.SdkHttp;
    }
}
