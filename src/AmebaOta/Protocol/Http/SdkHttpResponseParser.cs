namespace AmebaOta.Protocol.Http;

/// <summary>
/// The SDKs' <c>parse_http_response</c>, one call per read, as Ameba1, AmebaD and AmebaPro2 boards run it (the rules
/// say where they differ). Quirks kept:
/// <list type="bullet">
/// <item>the status code is the 3 characters between the first two spaces of the first read: a status line without a
/// reason phrase fails, silently;</item>
/// <item>a line gives the length only when it starts with one of the rules' spellings, byte for byte; a head longer than
/// one read is parsed in pieces that keep only the last 32 bytes of the previous one;</item>
/// <item>a 302 (AmebaD, AmebaPro2) takes everything after <c>Location: </c> to the end of the read as the URL, so the
/// "resource" it fetches next runs on over the following header lines, and a Location without a port takes the port
/// from the next colon it finds (<see cref="Redirect"/>).</item>
/// </list>
/// Prints go through the callback, as the SDK's <c>printf</c> calls.
/// </summary>
public sealed class SdkHttpResponseParser(SdkHttpHeadRules rules, Action<string> printf)
{
    /// <summary>HEADER_BAK_LEN: what is kept of a read when the head goes on in the next.</summary>
    public const int HeaderBackupLength = 32;

    /// <summary>Bytes the parser looks past the data (<c>response[i + 3]</c>); the caller's buffer carries them, zeroed.</summary>
    public const int LookAhead = 3;

    /// <summary>0: nothing yet; 1: status 200; 2/3: length found, head not ended; 4: done.</summary>
    public int ParseStatus { get; private set; }
    /// <summary>The status code read from the first read.</summary>
    public uint StatusCode { get; private set; }
    /// <summary>Where the body starts in the read that ended the head.</summary>
    public uint HeaderLength { get; private set; }
    /// <summary>The <c>Content-Length</c> value, by <c>atoi</c>.</summary>
    public uint BodyLength { get; private set; }

    /// <summary>The last 32 bytes of the previous read, when the head goes on (the next read is appended to them).</summary>
    public byte[]? HeaderBackup { get; set; }

    /// <summary>Where a 302 sends the board (null: none, or a 302 whose Location the SDK could not read).</summary>
    public SdkRedirect? Redirect { get; private set; }

    /// <summary>
    /// Parses <paramref name="length"/> bytes at the start of <paramref name="r"/>, which must hold at least
    /// <see cref="LookAhead"/> zero bytes past them (the SDK's buffer is cleared before each read). Returns the new
    /// <see cref="ParseStatus"/>, or -1 when the board gives up.
    /// </summary>
    public int Parse(ReadOnlySpan<byte> r, int length)
    {
        if (ParseStatus == 0)
        {
            int p = 0, q = 0, spaces = 0;
            for (int i = 0; i < length; i++)
            {
                if (r[i] != ' ') continue;
                if (++spaces == 1) p = i;
                else if (spaces == 2) { q = i; break; }
            }
            if (p == 0 || q == 0 || q - p != 4) return -1;
            StatusCode = (uint)CString.Atoi(r.Slice(p + 1, 3));
            if (StatusCode == 200) ParseStatus = 1;
            else if (StatusCode == 302 && rules.FollowsRedirect)
            {
                FollowRedirect(CString.ToString(r[..length]));
                return -1;
            }
            else
            {
                printf($"\n\r[parse_http_response] The http response status code is {StatusCode}");
                return -1;
            }
        }

        if (ParseStatus == 3)
        {
            for (int i = 0; i < length; i++)
            {
                if (r[i] == '\r' && r[i + 1] == '\n' && r[i + 2] == '\r' && r[i + 3] == '\n')
                {
                    ParseStatus = 4;
                    HeaderLength = (uint)(i + 4);
                    break;
                }
            }
            if (ParseStatus == 3) HeaderBackup = Backup(r, length);
        }

        if (ParseStatus == 1)
        {
            int p = 0;
            for (int i = 0; i < length; i++)
            {
                if (r[i] == '\r' && r[i + 1] == '\n')
                {
                    int q = i;
                    if (StartsWithLengthName(r, p))
                    {
                        int j1 = p + 14, j2 = q - 1;
                        while (j1 < q && (r[j1] == ':' || r[j1] == ' ')) j1++;
                        while (j2 > j1 && r[j2] == ' ') j2--;
                        int valueLength = j2 - j1 + 1;
                        if (rules.RefusesLongLength && valueLength > 12) return -1;
                        BodyLength = (uint)CString.Atoi(r.Slice(j1, Math.Clamp(valueLength, 0, 12)));
                        ParseStatus = 2;
                    }
                    p = i + 2;
                }
                if (r[i] == '\r' && r[i + 1] == '\n' && r[i + 2] == '\r' && r[i + 3] == '\n')
                {
                    if (ParseStatus == 2)
                    {
                        ParseStatus = 4;
                        HeaderLength = (uint)(i + 4);
                    }
                    else
                    {
                        printf("\n\r[parse_http_response] No Content-Length in header");
                        return -1;
                    }
                    break;
                }
            }
            if (ParseStatus == 1) HeaderBackup = Backup(r, length);
            else if (ParseStatus == 2)
            {
                ParseStatus = 3;
                HeaderBackup = Backup(r, length);
            }
        }
        return ParseStatus;
    }

    private bool StartsWithLengthName(ReadOnlySpan<byte> r, int at)
    {
        foreach (var name in rules.ContentLengthNames)
        {
            if (at + name.Length > r.Length) continue;
            bool same = true;
            for (int k = 0; k < name.Length && same; k++) same = r[at + k] == name[k];
            if (same) return true;
        }
        return false;
    }

    /// <summary>The 302 branch and <c>parser_url</c>: the URL is the rest of the read after <c>Location</c> + 10 characters.</summary>
    private void FollowRedirect(string response)
    {
        printf($"response 302:{response} \r\n");
        int at = response.IndexOf("LOCATION", StringComparison.Ordinal);
        if (at < 0) at = response.IndexOf("Location", StringComparison.Ordinal);
        if (at < 0) return;   // no URL: parser_url(NULL) gives up
        string url = at + 10 <= response.Length ? response[(at + 10)..] : "";
        printf($"Location len = {url.Length}\r\n");
        if (url.Contains("http://", StringComparison.Ordinal)) url = url.Length >= 7 ? url[7..] : "";
        string host;
        int port;
        int colon = url.IndexOf(':');
        if (colon >= 0)
        {
            host = url[..colon];
            port = (ushort)CString.Atoi(url[(colon + 1)..]);
        }
        else
        {
            int slash = url.IndexOf('/');
            host = slash >= 0 ? url[..slash] : "";
            if (slash >= 0) url = url[slash..];
            port = 80;
        }
        printf($"server: {host}\n\r");
        printf($"port: {port}\n\r");
        int s = url.IndexOf('/');
        string resource = s >= 0 ? url[(s + 1)..] : "";
        printf($"resource: {resource}\n\r");
        Redirect = new SdkRedirect(host, port, resource);
    }

    /// <summary>The last 32 bytes of the read (before the buffer's start, on the board, when fewer came: modelled as zeros).</summary>
    private static byte[] Backup(ReadOnlySpan<byte> r, int length)
    {
        var backup = new byte[HeaderBackupLength];
        int from = length - HeaderBackupLength;
        if (from >= 0) r.Slice(from, HeaderBackupLength).CopyTo(backup);
        else r[..length].CopyTo(backup.AsSpan(-from));
        return backup;
    }
}
