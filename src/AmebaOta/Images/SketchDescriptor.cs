using System.Buffers.Binary;
using System.Text;

namespace AmebaOta.Images;

/// <summary>
/// What the virtual board runs, carried inside a test image's Image 2 body at body offset 16 (after the entry
/// point and <c>RTKWin</c>). Real ARM images have code there, never the magic, so they have no descriptor.
/// <code>
/// off size field
///   0    8 magic "AMOTASK1"
///   8    1 descriptor length in bytes (header fields + strings)
///   9    1 board: 0 rtl8195a, 1 rtl8710, 2 rtl8721d (AmebaD), 3 rtl8735b (AmebaPro2 AMB82-mini)
///  10    1 mode: 0 basic (ota_basic), 1 non-block (ota_non_block), 2 cloud (ota_cloud), 3 sdk-local
///              (update_ota_local), 4 sdk-http (http_update_ota), 5 ota-http (the OTA UI client)
///  11    1 flags: bit 0 = apply the version-1 settings (setOtaAddress + setRecoverPin)
///  12    4 sketch version (u32 LE), printed as "This is version N"
///  16    2 OTA port (u16 LE)
///  18    1 recovery pin (Arduino pin number)
///  19    1 device-name length N (UTF-8 bytes, 1..63)
///  20    1 SSID length M (UTF-8 bytes, 0..32)
///  21    N device name, then M SSID
/// 21+N+M 1 server length S (only when the descriptor length says it is there: pull sketches)
/// 22+N+M S server the sketch pulls from, HOST:PORT[/RESOURCE] (ASCII)
/// </code>
/// Images without a server (every push sketch, and every image made before pull sketches existed) end after the SSID,
/// byte for byte as before, so older and newer versions read each other's push images alike.
/// </summary>
public sealed record SketchDescriptor(
    uint Version,
    string DeviceName = SketchDescriptor.DefaultDeviceName,
    ushort Port = SketchDescriptor.DefaultPort,
    byte RecoveryPin = SketchDescriptor.DefaultRecoveryPin,
    BoardKind Board = BoardKind.Rtl8195a,
    SketchMode Mode = SketchMode.Basic,
    bool AppliesVersion1Settings = false,
    string Ssid = SketchDescriptor.DefaultSsid,
    string? Server = null)
{
    /// <summary>The stock examples' device name.</summary>
    public const string DefaultDeviceName = "MyAmeba";
    /// <summary>The stock examples' OTA port.</summary>
    public const ushort DefaultPort = 5000;
    /// <summary>The stock examples' recovery pin on the RTL8195A.</summary>
    public const byte DefaultRecoveryPin = 18;
    /// <summary>The stock examples' Wi-Fi network name.</summary>
    public const string DefaultSsid = "yourNetwork";
    /// <summary>Where the descriptor starts in the Image 2 body.</summary>
    public const int BodyOffset = 16;
    /// <summary>Bytes of the descriptor besides its strings.</summary>
    public const int FixedSize = 21;
    /// <summary>Longest device name in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 63;
    /// <summary>Longest SSID in UTF-8 bytes.</summary>
    public const int MaxSsidBytes = 32;
    /// <summary>Longest server address in bytes (the whole descriptor's length fits one byte).</summary>
    public const int MaxServerBytes = 120;
    /// <summary>The tag a descriptor starts with.</summary>
    public static ReadOnlySpan<byte> Magic => "AMOTASK1"u8;

    /// <summary>Bytes the descriptor takes when written.</summary>
    public int EncodedSize => FixedSize + Encoding.UTF8.GetByteCount(DeviceName) + Encoding.UTF8.GetByteCount(Ssid)
        + (Server is null ? 0 : 1 + Encoding.UTF8.GetByteCount(Server));

    /// <summary>Checks the fields fit the encoding; returns a one-line reason or null.</summary>
    public string? Validate()
    {
        int name = Encoding.UTF8.GetByteCount(DeviceName);
        if (name is 0 or > MaxNameBytes) return $"the device name must be 1 to {MaxNameBytes} UTF-8 bytes";
        if (Encoding.UTF8.GetByteCount(Ssid) > MaxSsidBytes) return $"the SSID must be at most {MaxSsidBytes} UTF-8 bytes";
        if (Port == 0) return "the OTA port must be 1 to 65535";
        if (Server is not null)
        {
            if (Server.Length == 0 || Encoding.UTF8.GetByteCount(Server) > MaxServerBytes || Server.Any(c => c <= ' ' || c > '~'))
                return $"the server address must be 1 to {MaxServerBytes} printable ASCII characters";
        }
        if (SketchModes.Pulls(Mode) && Server is null) return $"the {SketchModes.Id(Mode)} sketch needs the server it pulls from (--server HOST:PORT)";
        return null;
    }

    /// <summary>Writes the descriptor into <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        if (Validate() is { } error) throw new ImageFormatException(error);
        Magic.CopyTo(destination);
        byte[] name = Encoding.UTF8.GetBytes(DeviceName), ssid = Encoding.UTF8.GetBytes(Ssid);
        destination[8] = (byte)EncodedSize;
        destination[9] = (byte)Board;
        destination[10] = (byte)Mode;
        destination[11] = (byte)(AppliesVersion1Settings ? 1 : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[16..], Port);
        destination[18] = RecoveryPin;
        destination[19] = (byte)name.Length;
        destination[20] = (byte)ssid.Length;
        name.CopyTo(destination[FixedSize..]);
        ssid.CopyTo(destination[(FixedSize + name.Length)..]);
        if (Server is not null)
        {
            var server = Encoding.ASCII.GetBytes(Server);
            int at = FixedSize + name.Length + ssid.Length;
            destination[at] = (byte)server.Length;
            server.CopyTo(destination[(at + 1)..]);
        }
    }

    /// <summary>Looks for a descriptor in an Image 2 body. Null when there is none (real ARM code); a malformed one is also null, with <paramref name="error"/> set.</summary>
    public static SketchDescriptor? TryRead(ReadOnlySpan<byte> body, out string? error)
    {
        error = null;
        if (body.Length < BodyOffset + FixedSize || !body.Slice(BodyOffset, Magic.Length).SequenceEqual(Magic)) return null;
        var d = body[BodyOffset..];
        int nameLength = d[19], ssidLength = d[20];
        int strings = FixedSize + nameLength + ssidLength;
        // Without a server the descriptor ends after the SSID; with one, a length byte and the server follow.
        bool hasServer = d[8] != strings && d.Length > strings && d[8] == strings + 1 + d[strings] && d[strings] is > 0 and <= MaxServerBytes;
        if ((d[8] != strings && !hasServer) || nameLength is 0 or > MaxNameBytes || ssidLength > MaxSsidBytes || d.Length < d[8])
        {
            error = "sketch descriptor is damaged (its lengths do not add up)";
            return null;
        }
        if (!BoardKinds.IsKnown(d[9]) || d[10] > (byte)SketchModes.Last)
        {
            error = $"sketch descriptor has an unknown board ({d[9]}) or mode ({d[10]})";
            return null;
        }
        // Strict: replacement characters would make the name longer than its length byte says (and than mDNS allows).
        string name, ssid;
        try
        {
            name = StrictUtf8.GetString(d.Slice(FixedSize, nameLength));
            ssid = StrictUtf8.GetString(d.Slice(FixedSize + nameLength, ssidLength));
        }
        catch (DecoderFallbackException)
        {
            error = "sketch descriptor has a device name or SSID that is not UTF-8";
            return null;
        }
        string? server = hasServer ? Encoding.ASCII.GetString(d.Slice(strings + 1, d[strings])) : null;
        var sketch = new SketchDescriptor(
            Version: BinaryPrimitives.ReadUInt32LittleEndian(d[12..]),
            DeviceName: name,
            Port: BinaryPrimitives.ReadUInt16LittleEndian(d[16..]),
            RecoveryPin: d[18],
            Board: (BoardKind)d[9],
            Mode: (SketchMode)d[10],
            AppliesVersion1Settings: (d[11] & 1) != 0,
            Ssid: ssid,
            Server: server);
        // Whatever the bytes say, a descriptor the board gets is one that could have been written (port 0, a pull sketch without its server: damaged).
        if (sketch.Validate() is { } problem)
        {
            error = $"sketch descriptor is damaged: {problem}";
            return null;
        }
        return sketch;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
