using System.Diagnostics;
using System.Globalization;
using AmebaOta.Boards;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Pins;

namespace AmebaOta.Families.Ameba1.Pull.Board;

/// <summary>
/// The board side of AmebaCloudOTA (<c>OTA_r.cpp</c>, the <c>OTAClass</c> of <c>ota_cloud</c>), statement by statement:
/// <c>gatherOTAinfo</c> fetches <c>/check.txt</c> and returns <c>toInt()</c> of its body; <c>beginRemote</c> fetches
/// <c>/ota.bin</c>, writes it to the OTA address, compares the flash's byte-sum with that number, signs the image, marks
/// Default Image 2 old and reboots. Log lines are the library's, to the character (blank lines and all). Quirks kept:
/// <list type="bullet">
/// <item>the status code is printed, never checked: a 404 page is erased for, flashed, then fails <c>Checksum Error</c>;</item>
/// <item><c>beginRemote</c> always writes OTA address 0x80000 and recovery pin 18 to system data first;</item>
/// <item>the headers are read only while bytes are already there (<c>available()</c> waits 10 ms), and the length is found
/// by <c>indexOf("Content-Length: ")</c>, case-sensitively: with no such header it parses from offset 15 of the header
/// text, which is usually not a number, so the length is 0 and <c>(0 - 1) / 4096 + 1</c> = 1,048,576 sectors are erased:
/// the whole chip, many times over (the board is bricked; at typical flash speed this takes half a day);</item>
/// <item>the first body read asks for <c>512 - header length</c> bytes (a header block of 512 bytes or more overflows the
/// buffer on a real board; modelled as a failed read);</item>
/// <item>the download has one deadline for the whole body, 30 s by default, counted after the erase; a slower body is
/// cut and fails the checksum;</item>
/// <item>the last chunk is written twice: once as a chunk, once more (its first 4 bytes zeroed) right after the image,
/// over bytes that were never erased when the image ends on a sector boundary;</item>
/// <item><c>processed_len</c> and <c>chunk_pointer</c> are <c>static</c>: a second <c>beginRemote</c> in the same boot
/// writes at the offset where the first stopped (one <see cref="CloudOtaClient"/> is one boot);</item>
/// <item>a checksum of 0 from <c>check.txt</c> (a missing file, an HTML page) returns -1 at once, flash untouched.</item>
/// </list>
/// Where the C code reads uninitialised variables (a failed status read leaves <c>ota_len</c> unset) they are modelled as 0.
/// </summary>
public sealed class CloudOtaClient(PullBoard board)
{
    /// <summary><c>DEFAULT_OTA_ADDRESS</c>.</summary>
    public const uint DefaultOtaAddress = 0x80000;
    /// <summary><c>BUFSIZE</c> and <c>mtusize</c>.</summary>
    public const int BufferSize = 512;
    /// <summary>The recovery pin <c>beginRemote</c> hard-codes.</summary>
    public const int RecoveryPin = 18;
    /// <summary>The default <c>ota_timeout</c> of <c>beginRemote</c>: 30 s for the whole body.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(30000);
    /// <summary><c>gatherOTAinfo</c>'s idle limit while reading check.txt.</summary>
    public static readonly TimeSpan CheckIdleTimeout = TimeSpan.FromMilliseconds(10000);

    private uint _otaAddress = 0xFFFFFFFF;
    private int _staticChunkPointer;
    private int _staticProcessedLength;

    private SerialPrinter Serial => board.Serial;

    /// <summary>
    /// <c>OTA.gatherOTAinfo(server, path, port)</c>: the body of <paramref name="path"/> as a number (<c>String.toInt()</c>),
    /// or -1 when Wi-Fi is down. Whatever else goes wrong yields 0 (an empty string).
    /// </summary>
    public async Task<int> GatherOtaInfoAsync(string server, string path, int port, CancellationToken cancellationToken)
    {
        if (!board.WifiConnected)
        {
            board.Printf("WiFi Not connected\r\n");
            return -1;
        }
        var text = new System.Text.StringBuilder();
        using var socket = new ArduinoWifiClient(board);
        var http = new ArduinoHttpClient(socket);
        int err = await http.GetAsync(server, port, path, cancellationToken).ConfigureAwait(false);
        if (err == 0)
        {
            Serial.PrintLine("startedRequest ok");
            err = await http.ResponseStatusCodeAsync(cancellationToken).ConfigureAwait(false);
            if (err >= 0)
            {
                Serial.Print("Got status code1: ");
                Serial.PrintLine(Int(err));
                err = await http.SkipResponseHeadersAsync(cancellationToken).ConfigureAwait(false);
                if (err >= 0)
                {
                    Serial.Print("Content length is: ");
                    Serial.PrintLine(Int(http.ContentLength));
                    Serial.PrintLine();
                    Serial.PrintLine("Body returned follows:");
                    var idle = Stopwatch.StartNew();
                    while ((socket.Connected() || await socket.AvailableAsync(cancellationToken).ConfigureAwait(false)) && idle.Elapsed < CheckIdleTimeout)
                    {
                        if (await socket.AvailableAsync(cancellationToken).ConfigureAwait(false))
                        {
                            char c = (char)(await http.ReadAsync(cancellationToken).ConfigureAwait(false) & 0xFF);
                            Serial.Print(c.ToString());
                            text.Append(c);
                            idle.Restart();
                        }
                        else
                        {
                            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
                else
                {
                    Serial.Print("Failed to skip response headers: ");
                    Serial.PrintLine(Int(err));
                }
            }
            else
            {
                Serial.Print("Getting response failed: ");
                Serial.PrintLine(Int(err));
            }
        }
        else
        {
            Serial.Print("Connect failed: ");
            Serial.PrintLine(Int(err));
        }
        http.Stop();
        return ToInt(text.ToString());
    }

    /// <summary>
    /// <c>OTA.beginRemote(server, path, port, check_sum_ota, reboot_when_success, ota_timeout)</c>: 0 on success (the
    /// caller reboots: <c>reboot_when_success</c>, true in the example), -1 on failure.
    /// </summary>
    public async Task<int> BeginRemoteAsync(string server, string path, int port, int checkSumOta, TimeSpan? otaTimeout, CancellationToken cancellationToken)
    {
        const int ret = -1;
        var buff = new byte[BufferSize];
        uint img2Address = 0;
        uint otaLength = 0;
        int imageChecksum = 0;
        uint downloadCount = 0;
        var timeout = otaTimeout ?? DefaultTimeout;

        if (!board.WifiConnected)
        {
            board.Printf("WiFi Not connected\r\n");
            return ret;
        }
        using var socket = new ArduinoWifiClient(board);
        var http = new ArduinoHttpClient(socket);
        Serial.PrintLine();
        Serial.Print("CHECKSUM_OTA:");
        Serial.PrintLine(Int(checkSumOta));
        if (checkSumOta == 0) return ret;

        int bodyLength = -1;
        int err = await http.GetAsync(server, port, path, cancellationToken).ConfigureAwait(false);
        if (err != 0)
        {
            Serial.Print("Connect failed: ");
            Serial.PrintLine(Int(err));
            return ret;
        }
        Serial.PrintLine("startedRequest ok");
        err = await http.ResponseStatusCodeAsync(cancellationToken).ConfigureAwait(false);
        if (err >= 0)
        {
            Serial.Print("Got status code2: ");
            Serial.PrintLine(Int(err));

            // Prepare OTA: the example's settings, whatever the sketch set before.
            await SetOtaAddressAsync(DefaultOtaAddress, cancellationToken).ConfigureAwait(false);
            await SetRecoverPinAsync(RecoveryPin, cancellationToken).ConfigureAwait(false);
            await SyncOtaAddressAsync(cancellationToken).ConfigureAwait(false);
            var (image2, image2Length, _, image3Length) = GetImageInfo();
            img2Address = image2;
            uint upperBound = unchecked(image2 + 0x10 + image2Length);
            if (image3Length > 0) upperBound = unchecked(upperBound + 0x10 + image3Length);
            // (ota_addr & 0xfff != 0): C precedence makes it ota_addr & 1.
            if ((_otaAddress & 1) != 0 || _otaAddress == 0xFFFFFFFF || _otaAddress < upperBound)
            {
                board.Printf($"Invalid OTA address: {_otaAddress:X8}\r\n");
                return ret;
            }

            // The rest of the head, read straight from the socket while bytes are there, up to the empty line.
            var response = new System.Text.StringBuilder();
            int headerLength = 0;
            while (await socket.AvailableAsync(cancellationToken).ConfigureAwait(false))
            {
                int b = await socket.ReadByteAsync(cancellationToken).ConfigureAwait(false);
                response.Append((char)(b & 0xFF));
                headerLength++;
                if (response.ToString().LastIndexOf("\r\n\r\n", StringComparison.Ordinal) != -1) break;
            }
            string httpResponse = response.ToString();
            Serial.PrintLine("-----");
            Serial.PrintLine(httpResponse);
            Serial.Print("Header length: ");
            Serial.Print(Int(headerLength));
            Serial.PrintLine("-----");

            int startCat = httpResponse.IndexOf("Content-Length: ", StringComparison.Ordinal) + "Content-Length: ".Length;
            int endCat = startCat <= httpResponse.Length ? httpResponse.IndexOf("\r\n", startCat, StringComparison.Ordinal) : -1;
            bodyLength = ToInt(Substring(httpResponse, startCat, endCat));
            otaLength = unchecked((uint)bodyLength);
            board.Printf($"Erase {Int(unchecked((int)otaLength))} from {Int(unchecked((int)_otaAddress))}\r\n");
            uint blocks = unchecked((otaLength - 1) / 4096 + 1);
            for (uint i = 0; i < blocks; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                board.Flash.EraseSector(unchecked(_otaAddress + i * 4096));
                await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
            }

            board.Printf("Start download\r\n");
            Array.Clear(buff, 0, 4);   // memset(buff, 0, sizeof(buff)): sizeof a pointer
            int initialState = 1;
            var timer = Stopwatch.StartNew();
            while (timer.Elapsed < timeout)
            {
                if (await socket.AvailableAsync(cancellationToken).ConfigureAwait(false))
                {
                    int bufLength = 0;
                    if (initialState == 1)
                    {
                        int ask = BufferSize - httpResponse.Length;
                        // A head of 512 bytes or more: a real board reads past its 512-byte buffer; the model reads nothing.
                        bufLength = ask > 0 ? await socket.ReadAsync(buff.AsMemory(0, ask), cancellationToken).ConfigureAwait(false) : 0;
                        initialState = 2;
                    }
                    else if (initialState == 2)
                    {
                        bufLength = await socket.ReadAsync(buff, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await socket.ReadByteAsync(cancellationToken).ConfigureAwait(false);
                        bufLength = 1;
                    }
                    int n = 0;
                    while (n < bufLength)
                    {
                        imageChecksum = unchecked(imageChecksum + buff[n]);
                        downloadCount++;
                        n++;
                        _staticChunkPointer++;
                        if (_staticChunkPointer == bufLength)
                        {
                            await WriteAsync(unchecked(_otaAddress + (uint)_staticProcessedLength), buff.AsMemory(0, bufLength), cancellationToken).ConfigureAwait(false);
                            board.Printf($"\nWrite sector {Int(unchecked((int)(_otaAddress + (uint)_staticProcessedLength)))}...ok\r\n");
                            _staticProcessedLength += _staticChunkPointer;
                            _staticChunkPointer = 0;
                            Array.Clear(buff, 0, 4);
                        }
                        if (downloadCount == unchecked((uint)bodyLength))
                        {
                            await WriteAsync(unchecked(_otaAddress + (uint)_staticProcessedLength), buff.AsMemory(0, bufLength), cancellationToken).ConfigureAwait(false);
                            board.Printf($"\nWrite last sector {Int(unchecked((int)(_otaAddress + (uint)_staticProcessedLength)))}...ok\r\n");
                            board.Printf($"\ntotal len = {downloadCount}");
                            _staticProcessedLength += _staticChunkPointer;
                            _staticChunkPointer = 0;
                            initialState = 3;
                            Array.Clear(buff, 0, 4);
                            break;
                        }
                    }
                    if (imageChecksum == checkSumOta) Serial.PrintLine("[checksum ready]");
                    Array.Clear(buff, 0, 4);
                }
                else
                {
                    if (downloadCount >= unchecked((uint)bodyLength)) break;
                    await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        else
        {
            Serial.Print("Getting response failed: ");
            Serial.PrintLine(Int(err));
        }

        if (http.Completed) Serial.PrintLine("HTTP DONE");
        http.Stop();
        board.Printf($"\nTotal bytes downloaded = {downloadCount}\r\n");
        Serial.Print("\nimage checksum downloaded:");
        Serial.PrintLine(Int(imageChecksum));

        // Verify what the flash holds.
        imageChecksum = 0;
        uint processed = 0;
        while (processed < otaLength)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = (int)Math.Min(BufferSize, otaLength - processed);
            board.Flash.Read(unchecked(_otaAddress + processed), buff.AsSpan(0, n));
            for (int i = 0; i < n; i++) imageChecksum = unchecked(imageChecksum + buff[i]);
            processed += (uint)n;
        }
        await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
        Serial.Print("\nimage checksum in flash:");
        Serial.PrintLine(Int(imageChecksum));
        if (checkSumOta != imageChecksum)
        {
            board.Printf("Checksum Error\r\n");
            board.Printf("OTA fail\r\n");
            return ret;
        }

        board.Flash.ProgramU32(unchecked(_otaAddress + 8), ImageSignature.NewWord1);
        board.Flash.ProgramU32(unchecked(_otaAddress + 12), ImageSignature.Word2);
        await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
        if (board.Flash.ReadU32(unchecked(_otaAddress + 8)) != ImageSignature.NewWord1 || board.Flash.ReadU32(unchecked(_otaAddress + 12)) != ImageSignature.Word2)
        {
            board.Printf("Put signature fail\r\n");
            board.Printf("OTA fail\r\n");
            return ret;
        }
        board.Flash.ProgramU32(img2Address + 8, ImageSignature.OldWord1);
        await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
        board.Printf("OTA success\r\n");
        return 0;
    }

    /// <summary><c>setOtaAddress</c>: <c>set_system_data(0, address)</c> (write, read back, safe rewrite on mismatch).</summary>
    public async Task SetOtaAddressAsync(uint address, CancellationToken cancellationToken)
    {
        new SystemData(board.Flash).SetOtaAddress(address);
        await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
        _otaAddress = address;
    }

    /// <summary><c>setRecoverPin(pin)</c>: a pin the variant does not connect writes nothing.</summary>
    public async Task SetRecoverPinAsync(int arduinoPin, CancellationToken cancellationToken)
    {
        if (PinMap.For(board.Kind).ToChip(arduinoPin) is not { } chip) return;
        new SystemData(board.Flash).SetRecoveryPins(AmebaOta.Pins.RecoveryPin.ActiveHighFor(chip).Raw);
        await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task SyncOtaAddressAsync(CancellationToken cancellationToken)
    {
        uint inFlash = board.Flash.ReadU32(FlashLayout.SystemData);
        if (inFlash == 0xFFFFFFFF)
        {
            board.Printf("use default OTA address\r\n");
            _otaAddress = DefaultOtaAddress;
            board.Flash.ProgramU32(FlashLayout.SystemData, _otaAddress);
            await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _otaAddress = inFlash;
        }
    }

    private (uint Image2, uint Image2Length, uint Image3, uint Image3Length) GetImageInfo()
    {
        const uint image2 = FlashLayout.DefaultImage2;
        uint image2Length = board.Flash.ReadU32(image2);
        uint image3 = unchecked(image2 + image2Length + 0x10);
        uint image3Length = board.Flash.ReadU32(image3);
        uint image3Load = board.Flash.ReadU32(unchecked(image3 + 4));
        return image3Load != SegmentHeader.SdramLoadAddress ? (image2, image2Length, 0, 0) : (image2, image2Length, image3, image3Length);
    }

    private async Task WriteAsync(uint address, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        board.Flash.StreamWrite(address, bytes.Span);   // flash_stream_write
        await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    private static string Int(uint value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Arduino's <c>String.substring(from, to)</c>: an empty string when the range is bad; <c>to</c> of -1 means "to the end".</summary>
    private static string Substring(string s, int from, int to)
    {
        if (to < 0 || to > s.Length) to = s.Length;
        if (from > to) (from, to) = (to, from);
        return from >= s.Length ? "" : s[from..to];
    }

    /// <summary>Arduino's <c>String.toInt()</c> (newlib <c>atol</c>): leading blanks, a sign, digits; clamped to 32 bits; 0 when there are none.</summary>
    public static int ToInt(string text) => AmebaOta.Protocol.Http.CString.Atoi(text);
}
