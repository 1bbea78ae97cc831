namespace AmebaOta.Families.Ameba1.Pull;

/// <summary>
/// The static files a plain web server (nginx, a CDN, object storage) needs to serve the HTTP pull clients:
/// <c>ota.bin</c> and <c>check.txt</c> for CloudOTA, and <c>ota_sdk.bin</c> (the image with its checksum trailer) for
/// <c>http_update_ota</c>. Each file is written to a temporary name and renamed into place, so a web server never
/// serves a half-written one, and the image goes in before the checksum that announces it.
/// </summary>
public static class PullPublisher
{
    /// <summary>CloudOTA's image file name.</summary>
    public const string OtaBin = "ota.bin";
    /// <summary>CloudOTA's checksum file name.</summary>
    public const string CheckTxt = "check.txt";
    /// <summary>The image with its trailer, for <c>http_update_ota</c> (its resource, e.g. <c>HOST:PORT/ota_sdk.bin</c>).</summary>
    public const string SdkBin = "ota_sdk.bin";

    /// <summary>Writes the three files into <paramref name="directory"/> (created if missing); returns their full paths.</summary>
    public static IReadOnlyList<string> Publish(PullImage image, string directory)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        // Downloads first, then the checksum: a board reading check.txt mid-publish gets the old sum for the old image or the new one after it.
        foreach (var (name, bytes) in new[] { (OtaBin, image.Image), (SdkBin, image.WithTrailer), (CheckTxt, image.CheckText) })
        {
            string path = Path.Combine(directory, name);
            string temporary = Path.Combine(directory, $".{name}.{Environment.ProcessId}.tmp");
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes.Span);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            written.Add(path);
        }
        return written;
    }
}
