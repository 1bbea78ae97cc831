using System.Net;
using AmebaOta.Families;

namespace AmebaOta.Fleet;

/// <summary>One board to update: a name to show (its mDNS instance name, or its address) and where its OTA receiver listens.</summary>
/// <param name="Name">What to call the board in reports; also the mDNS name watched for the reboot when <paramref name="ByName"/>.</param>
/// <param name="EndPoint">The board's address and OTA port.</param>
/// <param name="ByName">True when <paramref name="Name"/> is the board's mDNS instance name (found by discovery), false for a bare address.</param>
/// <param name="Family">The board's family (from its TXT <c>board=</c>, the history, or <c>--family</c>); null: unknown.</param>
public sealed record FleetTarget(string Name, IPEndPoint EndPoint, bool ByName = false, BoardFamily? Family = null);
