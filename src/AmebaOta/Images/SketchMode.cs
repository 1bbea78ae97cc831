namespace AmebaOta.Images;

/// <summary>
/// Which example sketch the virtual board runs: the push sketches <c>ota_basic</c> (blocking) and <c>ota_non_block</c>
/// (background thread), or one of the pull sketches, which fetch their update from the server the descriptor names.
/// </summary>
public enum SketchMode : byte
{
    /// <summary>The <c>ota_basic</c> example: blocks in the OTA receiver.</summary>
    Basic = 0,
    /// <summary>The <c>ota_non_block</c> example: the OTA receiver runs in a background thread.</summary>
    NonBlock = 1,
    /// <summary>The AmebaCloudOTA <c>ota_cloud</c> example: <c>/check.txt</c>, then <c>/ota.bin</c> over HTTP.</summary>
    Cloud = 2,
    /// <summary>The SDK's <c>update_ota_local(ip, port)</c>: the board dials a raw TCP download server.</summary>
    SdkLocal = 3,
    /// <summary>The SDK's <c>http_update_ota(host, port, resource)</c> as its <c>example_ota_http</c> task calls it.</summary>
    SdkHttp = 4,
    /// <summary>The OTA UI client: AmebaD's <c>OTA_Http</c> and AmebaPro2's <c>OTA</c> examples (heartbeats to the server, <c>start_ota</c> on TCP 5000, then the download).</summary>
    OtaHttp = 5,
}

/// <summary>Names of <see cref="SketchMode"/> values as the CLI spells them.</summary>
public static class SketchModes
{
    /// <summary>The highest mode value this version knows.</summary>
    public const SketchMode Last = SketchMode.OtaHttp;

    /// <summary><c>basic</c>, <c>non-block</c>, <c>cloud</c>, <c>sdk-local</c>, <c>sdk-http</c> or <c>ota-http</c>.</summary>
    public static string Id(SketchMode mode) => mode switch
    {
        SketchMode.NonBlock => "non-block",
        SketchMode.Cloud => "cloud",
        SketchMode.SdkLocal => "sdk-local",
        SketchMode.SdkHttp => "sdk-http",
        SketchMode.OtaHttp => "ota-http",
        SketchMode.Basic => "basic",
        _ => $"mode {(byte)mode}",
    };

    /// <summary>True for the sketches that pull their update from a server (they need one in the descriptor).</summary>
    public static bool Pulls(SketchMode mode) => mode is SketchMode.Cloud or SketchMode.SdkLocal or SketchMode.SdkHttp or SketchMode.OtaHttp;

    /// <summary>Parses <c>basic</c>, <c>non-block</c>, <c>cloud</c>, <c>sdk-local</c>, <c>sdk-http</c> or <c>ota-http</c> (and the example names).</summary>
    public static bool TryParse(string text, out SketchMode mode)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "basic" or "ota_basic" or "ota-basic": mode = SketchMode.Basic; return true;
            case "non-block" or "nonblock" or "non_block" or "ota_non_block": mode = SketchMode.NonBlock; return true;
            case "cloud" or "ota_cloud": mode = SketchMode.Cloud; return true;
            case "sdk-local" or "sdk_local" or "update_ota_local": mode = SketchMode.SdkLocal; return true;
            case "sdk-http" or "sdk_http" or "http_update_ota": mode = SketchMode.SdkHttp; return true;
            case "ota-http" or "ota_http" or "otahttp" or "ota-ui": mode = SketchMode.OtaHttp; return true;
            default: mode = default; return false;
        }
    }
}
